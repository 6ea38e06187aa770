// kill -9 of the subscriber daemon (its whole process group, or it alone: the Pacemaker tool it runs
// then finishes as an orphan) at points spread over an apply of a real publisher's publication: B's
// CIB file is always whole, crm_verify-clean, and exactly the old or exactly the new state
// (configuration and node attributes together); the restarted subscriber converges, keeps knowing the
// attributes it set as its own, and no temporary file is left beside the CIB. As in apply-kill.test.ts
// the kill points are placed by progress (the n-th write-path tool call, plus a random delay). One
// publisher at site A serves every run; each run starts from a fresh copy of site B. Repeat a run's
// kill points with KILL_SEED=<seed>.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOwnedAttributes } from '../../services/state/ownership.js';
import { generator, seedFrom } from '../helpers/random.js';
import type { Site } from '../helpers/sites.js';
import {
  type CertFiles,
  type Daemon,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';
import {
  callsIn,
  configurationMeaning,
  configurationState,
  crmVerify,
  freshB,
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

let a: Site;
let b: Site;
let publisher: Daemon;
let subTls: CertFiles;

/** Site B's subscriber configuration (following A's publisher), written into B's folder. */
function subscriberAt(site: Site): string {
  return writeConfig(site, 'subscriber', subscriberConfig(site, subTls, [publisher.url], { pollIntervalMs: 60_000 }));
}

/** Traced Pacemaker tools first on PATH, their calls noted in the site's `calls` file. */
function tracedPath(site: Site): { log: string; env: NodeJS.ProcessEnv } {
  const log = join(site.dir, 'calls');
  writeFileSync(log, '');
  return { log, env: { PATH: `${tracingTools(site.dir, log)}:${process.env.PATH}` } };
}

/** The subscriber's first import outcome (`import-done`), or its failure (`import-failed`), from its log. */
function firstImport(daemon: Daemon): Promise<Record<string, unknown>> {
  return waitFor(
    'the first import',
    () => daemon.logs.find((l) => l.event === 'import-done' || l.event === 'import-failed'),
    30_000,
  );
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA'), { allow: ['subB'] })),
    a.cibFile,
  );
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe(`kill -9 of the subscriber during an apply (seed ${SEED})`, () => {
  it(`leaves the old or the new state, never a mix, over ${RUNS} runs`, async () => {
    const old = configurationState(b.cibFile);
    expect(crmVerify(b.cibFile)).toBe(0);

    // The reference: one whole apply by the daemon, undisturbed, and the write-path tool calls it makes.
    const reference = freshB(b);
    const traced = tracedPath(reference);
    const whole = await startDaemon('subscriber', subscriberAt(reference), reference.cibFile, traced.env);
    try {
      expect(await firstImport(whole)).toMatchObject({ event: 'import-done', outcome: 'applied' });
    } finally {
      await whole.stop();
    }
    const calls = callsIn(traced.log).length;
    const next = configurationState(reference.cibFile);
    // Both parts change, so a mix of the two is neither the old nor the new state.
    const [before, after] = [configurationMeaning(b.cibFile), configurationMeaning(reference.cibFile)];
    expect(after.rest).not.toBe(before.rest);
    expect(after.attributes).not.toEqual(before.attributes);
    reference.cleanup();

    const random = generator(SEED);
    const outcomes = { old: 0, new: 0 };
    for (let i = 0; i < RUNS; i++) {
      const site = freshB(b);
      try {
        const { log, env } = tracedPath(site);
        const point = killPoint(i, calls, random, MAX_DELAY_MS);
        const killed = await runCli(['subscriber', '--config', subscriberAt(site)], {
          cibFile: site.cibFile,
          env,
          killGroup: point.killGroup,
          killWhen: killWhen(log, point),
        });
        await settle(log);
        const label = `${killLabel(i, point, log, killed)}, seed ${SEED}`;
        expect(killed.signal, `${label}: ${killed.stderr}`).toBe('SIGKILL');
        outcomes[oldOrNew(site.cibFile, old, next, label)] += 1;

        const again = await startDaemon('subscriber', subscriberAt(site), site.cibFile);
        try {
          const done = await firstImport(again);
          expect(done, `${label}: ${JSON.stringify(done)}`).toMatchObject({ event: 'import-done' });
          expect(['applied', 'unchanged'], label).toContain(done.outcome);
        } finally {
          await again.stop();
        }
        expect(configurationState(site.cibFile), label).toBe(next);
        // What the subscriber set is still known as its own, whatever moment the kill hit.
        expect(await readOwnedAttributes(site.stateDir), label).toMatchObject({
          b1: { 'app-role': 'primary' },
          b2: { 'app-role': 'secondary' },
        });
        expect(leftoverTemps(site.dir), label).toEqual([]);
      } finally {
        site.cleanup();
      }
    }
    console.info(`subscriber kill -9 runs (seed ${SEED}): ${outcomes.old} ended old, ${outcomes.new} ended new`);
    // Both ends were hit: the kills really spread over the write.
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
  }, 240_000);
});
