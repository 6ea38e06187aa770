// Fan-out: N subscribers (N change-feed clients, each with its own mutual-TLS connection, using the
// subscriber's own fetch code) wait on one publisher process; one `cibadmin` change at A; how long
// until every one of them holds the new publication, and what the publisher costs in RSS and CPU.
//   node bench/feed-fanout.mjs [N=200]
import { spawnSync } from 'node:child_process';
import { MtlsClient } from '../dist/services/net/client.js';
import { loadTlsMaterial } from '../dist/services/net/tls-material.js';
import { fetchPublication } from '../dist/services/subscriber/fetcher.js';
import { cpuSeconds, machine, makeBenchSites, memoryMiB, percentile, startDaemon, writeJson } from './network-lib.mjs';

const n = Number(process.argv[2] ?? 200);
const { dir, a, issue } = makeBenchSites();
const pubTls = issue('pubA');
const subTls = issue('subB');
let builtAt = 0;
const publisher = await startDaemon(
  'publisher',
  writeJson(dir, 'pub.json', {
    site: 'siteA',
    ticket: 'ticketA',
    logLevel: 'info',
    publisher: { listen: '127.0.0.1', port: 0, adminSocket: `${dir}/publisher.sock`, ...pubTls, waitMaxMs: 120_000 },
  }),
  a.cibFile,
  (e) => {
    if (e.event === 'publication-built') builtAt = Date.parse(e.time);
  },
);
const pid = publisher.child.pid;
const material = loadTlsMaterial(subTls);
const clients = Array.from({ length: n }, () => new MtlsClient(material, 10_000));
const options = { hold: true, waitMs: 120_000, requestTimeoutMs: 30_000, maxBytes: 1 << 20 };

const startupCpu = cpuSeconds(pid);
const first = await Promise.all(clients.map((c) => fetchPublication(c, publisher.url, options)));
const digest = /digest="([0-9a-f]{64})"/.exec(first[0].text)[1];
const memBaseline = memoryMiB(pid);

const received = new Array(n);
const feeds = clients.map((c, i) =>
  fetchPublication(c, publisher.url, { ...options, known: digest }).then((outcome) => {
    received[i] = performance.now();
    return outcome;
  }),
);
const metrics = new MtlsClient(material, 10_000);
const waiting = async () =>
  /cibsync_publisher_subscribers_waiting (\d+)/.exec(
    (
      await metrics.request(`${publisher.url}/metrics`, {
        maxBytes: 1 << 20,
        headersTimeoutMs: 10_000,
        bodyTimeoutMs: 10_000,
      })
    ).body.toString(),
  )[1];
while (Number(await waiting()) < n) await new Promise((r) => setTimeout(r, 50));

// All N held: measure the publisher idle with them for 10 s.
const idleCpu0 = cpuSeconds(pid);
await new Promise((r) => setTimeout(r, 10_000));
const idleCpu = cpuSeconds(pid) - idleCpu0;
const memWaiting = memoryMiB(pid);

const cpu0 = cpuSeconds(pid);
const started = performance.now();
const startedWall = Date.now();
const r = spawnSync(
  'cibadmin',
  ['--modify', '--xml-text', '<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="99"/>'],
  { env: { ...process.env, CIB_file: a.cibFile } },
);
if (r.status !== 0) throw new Error(String(r.stderr));
const cibadminDone = performance.now();
const outcomes = await Promise.all(feeds);
const allDone = performance.now();
const fanoutCpu = cpuSeconds(pid) - cpu0;
const memAfter = memoryMiB(pid);
if (!outcomes.every((o) => o.kind === 'publication' && o.text.includes('value="99"')))
  throw new Error('a subscriber got something else');

const sorted = received.map((t) => t - started).sort((x, y) => x - y);
await Promise.all([...clients, metrics].map((c) => c.close()));
await publisher.stop();
console.log(
  JSON.stringify(
    {
      benchmark: `fan-out: ${n} change-feed subscribers on one publisher`,
      machine: machine(),
      subscribers: n,
      all_have_change_ms: Math.round(allDone - started),
      cibadmin_ms: Math.round(cibadminDone - started),
      change_to_publication_built_ms: builtAt - startedWall,
      built_to_last_delivery_ms: Math.round(allDone - started - (builtAt - startedWall)),
      delivery_p50_ms: Math.round(percentile(sorted, 50)),
      publisher_rss_mib: {
        after_initial_fetch: Math.round(memBaseline.rss),
        with_all_waiting: Math.round(memWaiting.rss),
        after_fanout: Math.round(memAfter.rss),
        peak: Math.round(memAfter.peak),
      },
      publisher_cpu_s: {
        startup_and_initial_fetches: +(cpu0 - startupCpu).toFixed(2),
        idle_10s_with_all_waiting: +idleCpu.toFixed(3),
        fanout: +fanoutCpu.toFixed(3),
      },
      publication_bytes: Buffer.byteLength(outcomes[0].text),
    },
    null,
    2,
  ),
);
