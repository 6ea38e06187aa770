// What the cluster here would do if the candidate were applied: crm_simulate on the local CIB as it
// is and with the candidate configuration; the plan shows only the actions the candidate adds to
// what the scheduler would do anyway. Asked for by manual approval and dry runs, never by an
// automatic import (two crm_simulate runs of the whole CIB).
import { withConfiguration } from '../cib/index.js';
import type { Pacemaker, SimulatedAction } from '../pacemaker/index.js';
import type { XmlElement } from '../xml/index.js';

export async function predictTransition(
  pacemaker: Pacemaker,
  localCib: XmlElement,
  candidate: XmlElement,
): Promise<SimulatedAction[]> {
  const [anyway, after] = await Promise.all([
    pacemaker.simulate(localCib),
    pacemaker.simulate(withConfiguration(localCib, candidate)),
  ]);
  const key = (a: SimulatedAction) => JSON.stringify(a.attrs);
  const already = new Set(anyway.map(key));
  return after.filter((a) => !already.has(key(a)));
}
