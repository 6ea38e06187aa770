// Runtime attributes (issue #11 item 1): transient node attributes on the allowlist cross from A to B
// as transient attributes of the mapped servers (and, prefixed, of B's N+1 standby), apart from the
// configuration; frequent updates are coalesced; removal follows the ownership rules. Publisher at A
// and subscriber at B as real processes over mutual TLS on 127.0.0.1, file-backed CIBs, real
// crm_attribute at both ends.
import { renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionOf } from '../../services/cib/index.js';
import { parseXml } from '../../services/xml/index.js';
import type { Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  type Daemon,
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

const INTERVAL_MS = 2000;
const runtimeAttributes = { names: ['runtime-*', 'stat-?ount*', 'stat-hits'], minIntervalMs: INTERVAL_MS };

let a: Site;
let b: Site;
let publisher: Daemon;
let subscriber: Daemon;
let subTls: CertFiles;
let pubTls: CertFiles;

/** Sets (or with `undefined` deletes) a transient attribute at a site, as an administrator or a resource agent would. */
function transient(site: Site, node: string, name: string, value: string | undefined): void {
  site.tool('crm_attribute', [
    '--node',
    node,
    '--name',
    name,
    '--lifetime',
    'reboot',
    ...(value === undefined ? ['--delete'] : ['--update', value]),
  ]);
}

/** A node's attributes of one lifetime in a site's CIB file, read from the file itself. */
function attributesAt(site: Site, node: string, lifetime: 'reboot' | 'forever'): Record<string, string> {
  const cib = parseXml(site.read());
  const id = /<node id="([^"]*)" uname="([^"]*)"/g;
  const ids = new Map([...site.read().matchAll(id)].map((m) => [m[2] as string, m[1] as string]));
  const out: Record<string, string> = {};
  const holder =
    lifetime === 'reboot'
      ? cib.children.find((c) => c.kind === 'element' && c.name === 'status')
      : cib.children.find((c) => c.kind === 'element' && c.name === 'configuration');
  const walk = (e: typeof cib, inside: boolean) => {
    for (const c of e.children) {
      if (c.kind !== 'element') continue;
      const here =
        inside ||
        (lifetime === 'reboot' && c.name === 'transient_attributes' && c.attrs.id === ids.get(node)) ||
        (lifetime === 'forever' && c.name === 'node' && c.attrs.uname === node);
      if (here && c.name === 'nvpair' && c.attrs.name) out[c.attrs.name] = c.attrs.value ?? '';
      walk(c, here);
    }
  };
  if (holder?.kind === 'element') walk(holder, false);
  return out;
}

const versionAt = (site: Site) => versionOf(parseXml(site.read()));

async function subscriberMetric(series: string): Promise<number> {
  return metricValue((await httpsRequest(`${subscriber.url}/metrics`, subTls)).body, series);
}

async function publishedDigest(): Promise<string> {
  return JSON.parse((await httpsRequest(`${publisher.url}/healthz`, pubTls)).body).digest as string;
}

/**
 * Updates one transient attribute at A 100 times a second for `ms` (crm_attribute runs take 50-700 ms
 * each on the loaded test machine, so they cannot tick that fast): set once with crm_attribute, then
 * its value rewritten in A's CIB file, num_updates bumped, by rename, as the CIB manager records each
 * attrd update. `during` runs once at the start. Returns how many updates were made, over how long.
 */
async function tick(
  node: string,
  name: string,
  ms: number,
  during?: () => void,
): Promise<{ updates: number; spanMs: number; last: string }> {
  transient(a, node, name, '0');
  const started = performance.now();
  let updates = 0;
  during?.();
  const pair = new RegExp(`(name="${name}" value=")[^"]*(")`);
  while (performance.now() - started < ms) {
    updates += 1;
    const text = a
      .read()
      .replace(pair, `$1${updates}$2`)
      .replace(/num_updates="(\d+)"/, (_, n) => `num_updates="${Number(n) + 1}"`);
    writeFileSync(`${a.cibFile}.tick`, text);
    renameSync(`${a.cibFile}.tick`, a.cibFile);
    // The next update's slot, 10 ms after this one's; none skipped when running late.
    await new Promise((r) => setTimeout(r, started + updates * 10 - performance.now()));
  }
  return { updates, spanMs: performance.now() - started, last: String(updates) };
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  pubTls = pki.issue('pubA');
  subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', { ...publisherConfig(a, pubTls, { allow: ['subB'] }), runtimeAttributes }),
    a.cibFile,
  );
  subscriber = await startDaemon(
    'subscriber',
    writeConfig(b, 'subscriber', {
      ...subscriberConfig(b, subTls, [publisher.url], { pollIntervalMs: 60_000, minRoundIntervalMs: 20 }),
      // b2 is also the N+1 standby: it holds a1's runtime attributes as a1:<name>.
      runtimeAttributes: { ...runtimeAttributes, prefixedNodeMap: { a1: 'b2' } },
    }),
    b.cibFile,
  );
  await waitFor('A’s configuration applied at B', () => statusOf(subscriber, subTls).lastApplied, 15_000, 200);
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe('runtime attributes from A to B', () => {
  it('carries the allowed transient attributes to the mapped servers as transient attributes, and no others', async () => {
    transient(b, 'b1', 'runtime-admin', 'mine'); // B's own, on the allowlist: never cibsync's
    transient(a, 'a1', 'runtime-port', '8080');
    transient(a, 'a2', 'stat-hits', '5');
    transient(a, 'a1', 'secret-token', 'x'); // not on the allowlist
    await waitFor(
      'runtime-port and stat-hits at B',
      () =>
        attributesAt(b, 'b1', 'reboot')['runtime-port'] === '8080' &&
        attributesAt(b, 'b2', 'reboot')['stat-hits'] === '5' &&
        attributesAt(b, 'b2', 'reboot')['a1:runtime-port'] === '8080',
      30_000,
      100,
    );
    expect(attributesAt(b, 'b1', 'reboot')).toEqual({ 'runtime-admin': 'mine', 'runtime-port': '8080' });
    expect(attributesAt(b, 'b2', 'reboot')).toEqual({ 'stat-hits': '5', 'a1:runtime-port': '8080' });
    // Permanent attributes are the configuration's: none of these went there.
    for (const node of ['b1', 'b2'])
      expect(Object.keys(attributesAt(b, node, 'forever')).filter((n) => /runtime|stat|secret/.test(n))).toEqual([]);
    expect(b.read()).not.toContain('secret-token');
  });

  it('removes what left A only where cibsync set it', async () => {
    transient(b, 'b2', 'stat-hits', '99'); // an administrator at B takes stat-hits over
    transient(a, 'a1', 'runtime-port', undefined);
    transient(a, 'a2', 'stat-hits', undefined);
    await waitFor(
      'runtime-port gone at B',
      () =>
        !('runtime-port' in attributesAt(b, 'b1', 'reboot')) && !('a1:runtime-port' in attributesAt(b, 'b2', 'reboot')),
      30_000,
      100,
    );
    // Documents arrive in order: once a later change is at B, the removal of stat-hits was handled.
    transient(a, 'a2', 'runtime-marker', '1');
    await waitFor('runtime-marker at B', () => attributesAt(b, 'b2', 'reboot')['runtime-marker'] === '1', 30_000, 100);
    expect(attributesAt(b, 'b1', 'reboot')).toEqual({ 'runtime-admin': 'mine' });
    expect(attributesAt(b, 'b2', 'reboot')).toEqual({ 'stat-hits': '99', 'runtime-marker': '1' });
  });

  it('coalesces an attribute updated up to 100 times a second: at most one write per interval, and no import', async () => {
    const imports = await subscriberMetric('cibsync_subscriber_imports_total{outcome="applied"}');
    const digest = await publishedDigest();
    const before = versionAt(b);
    const writesBefore = await subscriberMetric('cibsync_subscriber_runtime_writes_total');
    const { updates, spanMs, last } = await tick('a1', 'stat-count', 6000);
    await waitFor(
      'the last value at B',
      () =>
        attributesAt(b, 'b1', 'reboot')['stat-count'] === last &&
        attributesAt(b, 'b2', 'reboot')['a1:stat-count'] === last,
      30_000,
      50,
    );
    const after = versionAt(b);
    const writes = after.num_updates - before.num_updates;
    // Two attributes at B follow stat-count: b1's, and the standby b2's a1:stat-count.
    const bound = 2 * (Math.ceil(spanMs / INTERVAL_MS) + 1);
    console.log(
      `runtime coalescing: ${updates} updates at A in ${Math.round(spanMs)} ms (${Math.round((updates * 1000) / spanMs)}/s) → ${writes} CIB writes at B (bound ${bound})`,
    );
    expect(after.epoch, 'no configuration write at B').toBe(before.epoch);
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(bound);
    expect(updates).toBeGreaterThan(2 * bound);
    // The metric counts once the round has also recorded its ownership, a moment after the file.
    const counted = () => subscriberMetric('cibsync_subscriber_runtime_writes_total');
    await waitFor('the writes counted', async () => (await counted()) - writesBefore >= writes, 5_000, 50);
    expect((await counted()) - writesBefore).toBe(writes);
    // The configuration's publication and its import never saw the ticks.
    expect(await publishedDigest()).toBe(digest);
    expect(await subscriberMetric('cibsync_subscriber_imports_total{outcome="applied"}')).toBe(imports);
  }, 30_000);

  it('applies a configuration change while the attributes tick', async () => {
    const ticking = tick('a2', 'stat-counter', 3000, () => changeBatchLimit(a, 42));
    await waitFor('batch-limit 42 at B', () => batchLimitOf(b) === '42', 15_000, 100);
    const { last } = await ticking;
    await waitFor('the last tick at B', () => attributesAt(b, 'b2', 'reboot')['stat-counter'] === last, 30_000, 50);
  }, 30_000);

  it('serves the runtime attributes only while A holds the ticket, signed, with their digest as ETag', async () => {
    const served = await httpsRequest(`${publisher.url}/v1/runtime`, subTls);
    expect(served.status).toBe(200);
    expect(served.body).toContain('<cibsync-runtime');
    expect(served.body).toContain('signature=');
    expect(served.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await httpsRequest(`${publisher.url}/v1/runtime`, subTls, {
      headers: { 'if-none-match': String(served.headers.etag) },
    });
    expect(again.status).toBe(304);
    revoke(a);
    const refused = await waitFor(
      'a 503 without the ticket',
      async () => {
        const r = await httpsRequest(`${publisher.url}/v1/runtime`, subTls);
        return r.status === 503 ? r : undefined;
      },
      30_000,
      100,
    );
    expect(refused.body).not.toContain('cibsync-runtime');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'CIBSYNC_TICKET_NOT_HELD' });
  });
});
