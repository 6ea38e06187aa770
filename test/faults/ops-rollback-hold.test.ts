// Item 9: docs/operations.md's rollback procedure, followed literally with a subscriber daemon that
// keeps running, did not hold: the subscriber re-applied the source within one round, and the backup
// also reset cibsync's own resource (its target-role=Stopped, set by `pcs resource disable`). Now a
// rollback keeps this site's own parts as they are and puts the source on hold until `cibsync resume`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, type Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  cliTo,
  type Daemon,
  httpsRequest,
  makePki,
  makeSites,
  metricValue,
  publisherConfig,
  startDaemon,
  statusOf,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

const POLL_MS = 300;
let a: Site;
let b: Site;
let publisher: Daemon;
let subscriber: Daemon;
let subTls: CertFiles;
let configFile: string;

const cliToSubscriber = (command: string, ...extra: string[]) => cliTo(subscriber, subTls, command, ...extra);
const status = () => statusOf(subscriber, subTls);

/** The meta attribute `pcs resource disable` / `crm resource stop` sets. */
function targetRoleOf(site: Site, resource: string): string | undefined {
  const out = site
    .tool('crm_resource', ['--resource', resource, '--meta', '--get-parameter', 'target-role', '--quiet'])
    .trim();
  return out === '' ? undefined : out;
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  const pubTls = pki.issue('pubA');
  subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pubTls, { allow: ['subB'] })),
    a.cibFile,
  );
  configFile = writeConfig(b, 'subscriber', subscriberConfig(b, subTls, [publisher.url], { pollIntervalMs: POLL_MS }));
  subscriber = await startDaemon('subscriber', configFile, b.cibFile);
}, 60_000);

// A failed test must not leave the next one on hold.
afterEach(() => {
  cli(['resume', '--config', configFile], { cibFile: b.cibFile });
});

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe('rollback while the subscriber runs (docs/operations.md, section 8)', () => {
  it('holds: the bad change is not re-applied, the site-local parts stay, until cibsync resume', async () => {
    await waitFor('A’s resources at B', () => (b.read().includes('id="vip-web"') ? true : undefined), 10_000);
    const good = batchLimitOf(b);
    changeBatchLimit(a, 66); // the bad change at the active site reaches B
    const epoch = Number(/<cib [^>]*\bepoch="(\d+)"/.exec(a.read())?.[1]);
    // The whole import, not only its configuration write: a local edit made while the import still
    // runs is item 1's concurrent edit (another test's subject), not this one's.
    await waitFor(
      'the import of batch-limit 66 done at B',
      () => (status().lastApplied?.sourceEpoch === epoch ? true : undefined),
      10_000,
      200,
    );
    expect(batchLimitOf(b)).toBe('66');

    // Step 1 of the guide as an administrator with pcs or crmsh did it: disable the subscriber.
    b.tool('crm_resource', [
      '--resource',
      'cibsync-subscriber',
      '--meta',
      '--set-parameter',
      'target-role',
      '--parameter-value',
      'Stopped',
    ]);
    // Step 2: restore the newest backup (the configuration before the bad change).
    const rolled = cli(['rollback', '1', '--config', configFile], { cibFile: b.cibFile });
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/on hold/);
    expect(batchLimitOf(b)).toBe(good);
    expect(targetRoleOf(b, 'cibsync-subscriber')).toBe('Stopped');

    // The running daemon sees the hold, and refuses replicate-now; the source is not re-applied.
    const held = await waitFor(
      'the hold in the subscriber’s status',
      () => {
        const s = status();
        return s.hold ? s : undefined;
      },
      5000,
    );
    expect(held.state).toBe('held');
    expect(held.hold).toMatchObject({
      reason: expect.stringMatching(/rollback/),
      by: expect.any(String),
      at: expect.any(String),
    });
    expect(cliToSubscriber('status').stdout).toMatch(/on hold since .* by .*rollback/);
    const page = await httpsRequest(`${subscriber.url}/`, subTls);
    expect(page.body).toMatch(/on hold/i);
    expect(
      metricValue((await httpsRequest(`${subscriber.url}/metrics`, subTls)).body, 'cibsync_subscriber_on_hold'),
    ).toBe(1);
    const now = cliToSubscriber('replicate-now');
    expect(now.stderr).toContain('CIBSYNC_ON_HOLD');
    const hash = b.hash();
    changeBatchLimit(a, 67); // the source moves on while B is on hold
    await new Promise((r) => setTimeout(r, 5 * POLL_MS)); // several rounds of the follow loop
    expect(b.hash()).toBe(hash);
    expect(batchLimitOf(b)).toBe(good);
    expect(cli(['import', '--config', configFile, '/dev/null'], { cibFile: b.cibFile }).stderr).toContain(
      'CIBSYNC_ON_HOLD',
    );

    // Step 4: resume. The subscriber follows the source again and applies it.
    const resumed = cli(['resume', '--config', configFile], { cibFile: b.cibFile });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/rollback/);
    await waitFor('batch-limit 67 at B after resume', () => (batchLimitOf(b) === '67' ? true : undefined), 5000);
    expect(targetRoleOf(b, 'cibsync-subscriber')).toBe('Stopped'); // a site-local part: never the source's
    const after = await waitFor('the status without the hold', () => {
      const s = status();
      return s.hold ? undefined : s;
    });
    expect(after.state).toBe('following');
  });

  it('hold and resume by hand, with a reason, and what they answer when there is nothing to do', () => {
    const run = (...args: string[]) => cli([...args, '--config', configFile], { cibFile: b.cibFile });
    expect(run('resume').stdout).toMatch(/not on hold/);
    const placed = run('hold', '--reason', 'change freeze until Monday');
    expect(placed.code, placed.stderr).toBe(0);
    expect(placed.stdout).toMatch(/on hold .*change freeze until Monday/);
    expect(run('hold', '--reason', 'another').stdout).toMatch(/already on hold .*change freeze until Monday/);
    expect(run('resume').stdout).toMatch(/lifted.*change freeze until Monday/);
    for (const name of ['hold', 'resume']) {
      const help = cli([name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/usage: cibsync /);
    }
  });
});
