// Publisher at site A and subscriber at site B as real processes on 127.0.0.1, file-backed CIBs,
// certificates from a throw-away CA, and the CLI talking to the subscriber.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  cliTo,
  type Daemon,
  grant,
  httpsRequest,
  makePki,
  makeSites,
  metricValue,
  publisherConfig,
  revoke,
  startDaemon,
  statusOf,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

let a: Site;
let b: Site;
let publisher: Daemon;
let subscriber: Daemon;
let subTls: CertFiles;

const cliToSubscriber = (command: string, ...extra: string[]) => cliTo(subscriber, subTls, command, ...extra);
const status = () => statusOf(subscriber, subTls);

async function subscriberMetric(series: string): Promise<number> {
  return metricValue((await httpsRequest(`${subscriber.url}/metrics`, subTls)).body, series);
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
  // A poll interval far beyond the test's 5 s: only the change feed can deliver in time.
  subscriber = await startDaemon(
    'subscriber',
    writeConfig(b, 'subscriber', subscriberConfig(b, subTls, [publisher.url], { pollIntervalMs: 60_000 })),
    b.cibFile,
  );
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe('publisher at A, subscriber at B', () => {
  it('replicates A’s configuration to B on start', async () => {
    // The status, not the CIB file: the file is written before the import has finished (state files, status).
    const s = await waitFor(
      'A’s configuration applied at B',
      () => {
        const now = status();
        return now.lastApplied ? now : undefined;
      },
      15_000,
      200,
    );
    expect(b.read()).toContain('id="vip-web"');
    expect(b.read()).not.toContain('id="cibsync-publisher"');
    expect(s.state).toBe('following');
    expect(s.lastApplied).toMatchObject({ sourceSite: 'siteA', outcome: 'applied' });
    expect(s.consecutiveFailures, JSON.stringify(s.lastError)).toBe(0);
  });

  it('applies a change made at A with cibadmin within 5 s, through the change feed', async () => {
    const fetchesBefore = await subscriberMetric('cibsync_subscriber_fetches_total{result="200"}');
    const changedAt = Date.now();
    changeBatchLimit(a, 77);
    await waitFor('batch-limit 77 at B', () => (batchLimitOf(b) === '77' ? true : undefined), 5000);
    expect(Date.now() - changedAt).toBeLessThan(5000);
    expect(await subscriberMetric('cibsync_subscriber_fetches_total{result="200"}')).toBe(fetchesBefore + 1);
  });

  it('does not write B’s CIB for an unchanged publication, and answers replicate-now through the CLI', async () => {
    const hash = b.hash();
    const mtime = statSync(b.cibFile).mtimeMs;
    // A status-only change at A (another ticket): no new publication, nothing fetched, nothing written.
    a.tool('crm_ticket', ['--ticket', 'otherTicket', '--grant', '--force']);
    const r = cliToSubscriber('replicate-now');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('outcome: unchanged');
    expect(r.stdout).toContain('site siteA');
    expect(b.hash()).toBe(hash);
    expect(statSync(b.cibFile).mtimeMs).toBe(mtime);
    expect(await subscriberMetric('cibsync_subscriber_imports_total{outcome="unchanged"}')).toBeGreaterThanOrEqual(1);
  });

  it('stops replicating when A loses the ticket; B’s status names the reason and its CIB is untouched', async () => {
    revoke(a);
    const hash = b.hash();
    const s = await waitFor(
      'the refusal in B’s status',
      () => {
        const now = status();
        return now.lastError?.code === 'CIBSYNC_NO_PUBLISHER' ? now : undefined;
      },
      5000,
      200,
    );
    expect(s.lastError.details.publishers[0]).toMatchObject({
      publisher: publisher.url,
      code: 'CIBSYNC_TICKET_NOT_HELD',
    });
    expect(s.state).toBe('failing');
    const text = cliToSubscriber('status');
    expect(text.stdout).toMatch(/last error: CIBSYNC_NO_PUBLISHER: .*CIBSYNC_TICKET_NOT_HELD/);
    changeBatchLimit(a, 78);
    await new Promise((r) => setTimeout(r, 1000));
    expect(b.hash()).toBe(hash);
    const refused = cliToSubscriber('replicate-now');
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('CIBSYNC_NO_PUBLISHER');
  });

  it('idles while its own site holds the ticket, and says so', async () => {
    grant(b);
    const s = await waitFor(
      'idle',
      () => {
        const now = status();
        return now.state === 'idle' ? now : undefined;
      },
      5000,
      200,
    );
    expect(s.idleReason).toContain('holds ticket ticketA');
    const refused = cliToSubscriber('replicate-now');
    expect(refused.stderr).toContain('CIBSYNC_LOCAL_HOLDS_TICKET');
    b.tool('crm_ticket', ['--ticket', 'ticketA', '--revoke', '--force']);
    grant(a);
    await waitFor(
      'batch-limit 78 at B once A holds the ticket again',
      () => (batchLimitOf(b) === '78' ? true : undefined),
      10_000,
    );
  });

  it('on SIGTERM finishes the apply in flight, then stops with exit status 0', async () => {
    const seen = subscriber.logs.length;
    changeBatchLimit(a, 79);
    await waitFor(
      'an import under way at B',
      () => subscriber.logs.slice(seen).some((l) => l.step === 'parse'),
      5000,
      5,
    );
    const exit = subscriber.stop();
    expect(await exit).toBe(0);
    const after = subscriber.logs.slice(seen);
    const done = after.findIndex((l) => l.event === 'import-done');
    expect(done).toBeGreaterThanOrEqual(0);
    expect(done).toBeLessThan(after.findIndex((l) => l.event === 'stopped'));
    expect(batchLimitOf(b)).toBe('79');
    expect(await publisher.stop()).toBe(0);
  });
});
