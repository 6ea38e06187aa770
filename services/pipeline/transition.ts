// What the cluster here would do after a change: crm_simulate on the local CIB as it is and with the
// change; a plan shows only the actions the change adds to what the scheduler would do anyway, in
// crm_simulate's order. Two changes are asked about: a candidate configuration (manual approval and
// dry runs, never an automatic import: two crm_simulate runs of the whole CIB) and a ticket granted
// here (the takeover plan).
import { withConfiguration } from '../cib/index.js';
import type { Pacemaker, SimulatedAction } from '../pacemaker/index.js';
import type { XmlElement } from '../xml/index.js';

async function beyondAnyway(
  pacemaker: Pacemaker,
  localCib: XmlElement,
  changed: Promise<SimulatedAction[]>,
): Promise<SimulatedAction[]> {
  const [anyway, after] = await Promise.all([pacemaker.simulate(localCib), changed]);
  const key = (a: SimulatedAction) => JSON.stringify(a.attrs);
  const already = new Set(anyway.map(key));
  return after.filter((a) => !already.has(key(a)));
}

export function predictTransition(
  pacemaker: Pacemaker,
  localCib: XmlElement,
  candidate: XmlElement,
): Promise<SimulatedAction[]> {
  return beyondAnyway(pacemaker, localCib, pacemaker.simulate(withConfiguration(localCib, candidate)));
}

/** What granting `ticket` at this site would make the scheduler do (crm_simulate --ticket-grant). */
export function predictTicketGrant(
  pacemaker: Pacemaker,
  localCib: XmlElement,
  ticket: string,
): Promise<SimulatedAction[]> {
  return beyondAnyway(pacemaker, localCib, pacemaker.simulate(localCib, { ticketGrant: ticket }));
}
