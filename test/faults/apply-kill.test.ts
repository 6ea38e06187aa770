// kill -9 of `cibsync import` (its whole process group: cibsync and the Pacemaker tool it is running)
// at points spread over the apply: the CIB file is always whole, crm_verify-clean, and exactly the old
// or exactly the new state (configuration and node attributes together); ownership of the attributes
// cibsync set survives; the next import converges and leaves no temporary file behind. The kill points
// are placed by progress (the n-th write-path tool call, plus a random delay), not by the clock, so a
// loaded machine moves them with the import. Repeat a run's kill points with KILL_SEED=<seed>.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOwnedAttributes } from '../../services/state/ownership.js';
import { exportFrom, useSitesAB } from '../helpers/import.js';
import { generator, seedFrom } from '../helpers/random.js';
import {
  callsIn,
  configurationState,
  crmVerify,
  freshB,
  importArgs,
  killLabel,
  killPoint,
  killWhen,
  leftoverTemps,
  oldOrNew,
  runCli,
  settle,
  tracingTools,
} from './apply-helpers.js';

const RUNS = 20;
const MAX_DELAY_MS = 250;
const SEED = seedFrom('KILL_SEED');
const sites = useSitesAB();

describe(`kill -9 during an import (seed ${SEED})`, () => {
  it(`leaves the old or the new state, never a mix, over ${RUNS} runs`, async () => {
    const pub = exportFrom(sites.a);
    const old = configurationState(sites.b.cibFile);
    expect(crmVerify(sites.b.cibFile)).toBe(0);

    // The reference: the whole import, undisturbed, and the write-path tool calls it makes.
    const reference = freshB(sites.b);
    const referenceLog = join(reference.dir, 'calls');
    const full = await runCli(importArgs(reference, pub), {
      cibFile: reference.cibFile,
      env: { PATH: `${tracingTools(reference.dir, referenceLog)}:${process.env.PATH}` },
    });
    expect(full.code, full.stderr).toBe(0);
    const calls = callsIn(referenceLog).length;
    const next = configurationState(reference.cibFile);
    expect(next).not.toBe(old);
    reference.cleanup();

    const random = generator(SEED);
    const outcomes = { old: 0, new: 0 };
    for (let i = 0; i < RUNS; i++) {
      const b = freshB(sites.b);
      try {
        const log = join(b.dir, 'calls');
        writeFileSync(log, '');
        const point = killPoint(i, calls, random, MAX_DELAY_MS);
        const env = { PATH: `${tracingTools(b.dir, log)}:${process.env.PATH}` };
        const killed = await runCli(importArgs(b, pub), {
          cibFile: b.cibFile,
          env,
          killGroup: point.killGroup,
          killWhen: killWhen(log, point),
        });
        await settle(log);
        const label = `${killLabel(i, point, log, killed)}, seed ${SEED}`;
        outcomes[oldOrNew(b.cibFile, old, next, label)] += 1;

        const again = await runCli(importArgs(b, pub), { cibFile: b.cibFile });
        expect(again.code, `${label}: ${again.stderr}`).toBe(0);
        expect(configurationState(b.cibFile), label).toBe(next);
        // What cibsync set is still known as cibsync's, whatever moment the kill hit.
        expect(await readOwnedAttributes(b.stateDir), label).toMatchObject({
          b1: { 'app-role': 'primary' },
          b2: { 'app-role': 'secondary' },
        });
        expect(leftoverTemps(b.dir), label).toEqual([]);
      } finally {
        b.cleanup();
      }
    }
    console.info(`kill -9 runs (seed ${SEED}): ${outcomes.old} ended old, ${outcomes.new} ended new`);
    // Both ends were hit: the kills really spread over the write.
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
  }, 240_000);
});
