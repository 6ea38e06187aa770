// kill -9 of `cibsync import` (its whole process group: cibsync and the Pacemaker tool it is running)
// at points spread over the apply: the CIB file is always whole, crm_verify-clean, and exactly the old
// or exactly the new state (configuration and node attributes together); ownership of the attributes
// cibsync set survives; the next import converges and leaves no temporary file behind. The kill points
// are placed by progress (the n-th write-path tool call, plus a random delay), not by the clock, so a
// loaded machine moves them with the import.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOwnedAttributes } from '../../services/pipeline/attributes.js';
import { exportFrom, useSitesAB } from '../helpers/import.js';
import { configurationState, crmVerify, freshB, importArgs, leftoverTemps, runCli, tracingTools } from './apply-helpers.js';

const RUNS = 20;
const MAX_DELAY_MS = 250;
const sites = useSitesAB();

function callsIn(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Waits until no traced tool is still running (an orphan of a killed cibsync), by its traced pid. */
async function settle(log: string): Promise<void> {
  for (let i = 0; i < 500 && running(log); i++) await new Promise((r) => setTimeout(r, 10));
}

function running(log: string): boolean {
  return callsIn(log).some((line) => {
    const pid = Number(/^(\d+) /.exec(line)?.[1]);
    try {
      return pid > 0 && (process.kill(pid, 0), true);
    } catch {
      return false;
    }
  });
}

describe('kill -9 during an import', () => {
  it(`leaves the old or the new state, never a mix, over ${RUNS} runs`, async () => {
    const pub = exportFrom(sites.a);
    const old = configurationState(sites.b.cibFile);
    expect(crmVerify(sites.b.cibFile)).toBe(0);

    // The reference: the whole import, undisturbed, and the write-path tool calls it makes.
    const reference = freshB(sites.b);
    const referenceLog = join(reference.dir, 'calls');
    const full = await runCli(importArgs(reference, pub), { cibFile: reference.cibFile, env: { PATH: `${tracingTools(reference.dir, referenceLog)}:${process.env.PATH}` } });
    expect(full.code, full.stderr).toBe(0);
    const calls = callsIn(referenceLog).length;
    const next = configurationState(reference.cibFile);
    expect(next).not.toBe(old);
    reference.cleanup();

    const outcomes = { old: 0, new: 0 };
    for (let i = 0; i < RUNS; i++) {
      const b = freshB(sites.b);
      try {
        const log = join(b.dir, 'calls');
        writeFileSync(log, '');
        // Run i dies a random moment after the start of write-path call (i mod calls) + 1.
        const after = (i % calls) + 1;
        const delay = Math.floor(Math.random() * MAX_DELAY_MS);
        const env = { PATH: `${tracingTools(b.dir, log)}:${process.env.PATH}` };
        // Even runs kill cibsync alone (the tool it runs finishes as an orphan), odd runs its whole group.
        const killGroup = i % 2 === 1;
        const killed = await runCli(importArgs(b, pub), { cibFile: b.cibFile, env, killGroup, killWhen: () => (callsIn(log).length >= after ? delay : undefined) });
        await settle(log);
        const label = `run ${i}: ${killGroup ? 'group' : 'cibsync'} killed ${delay} ms after call ${after} (${callsIn(log)[after - 1] ?? 'not reached'}), ${killed.signal ?? `exit ${killed.code}`}`;
        const state = configurationState(b.cibFile); // parses, or throws
        expect([old, next], label).toContain(state);
        outcomes[state === old ? 'old' : 'new'] += 1;
        expect(crmVerify(b.cibFile), label).toBe(0);

        const again = await runCli(importArgs(b, pub), { cibFile: b.cibFile });
        expect(again.code, `${label}: ${again.stderr}`).toBe(0);
        expect(configurationState(b.cibFile), label).toBe(next);
        // What cibsync set is still known as cibsync's, whatever moment the kill hit.
        expect(await readOwnedAttributes(b.stateDir), label).toMatchObject({ b1: { 'app-role': 'primary' }, b2: { 'app-role': 'secondary' } });
        expect(leftoverTemps(b.dir), label).toEqual([]);
      } finally {
        b.cleanup();
      }
    }
    console.info(`kill -9 runs: ${outcomes.old} ended old, ${outcomes.new} ended new`);
    // Both ends were hit: the kills really spread over the write.
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
  }, 240_000);
});
