// Latency from a `cibadmin` change at site A to the change committed in site B's CIB, through a real
// publisher and subscriber process over mutual TLS on 127.0.0.1, with file-backed CIBs.
//   node bench/replication-latency.mjs [CHANGES=100]
// Prints p50/p90/p99 and where the time goes (from the daemons' own JSON logs).
import { spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { dirname } from 'node:path';
import { machine, makeBenchSites, percentile, startDaemon, writeJson } from './network-lib.mjs';

const changes = Number(process.argv[2] ?? 100);
const { dir, a, b, issue } = makeBenchSites();
const pubTls = issue('pubA');
const subTls = issue('subB');
const events = [];
const record = (entry) => events.push({ ...entry, at: Date.parse(entry.time) });

const publisher = await startDaemon('publisher', writeJson(dir, 'pub.json', { site: 'siteA', ticket: 'ticketA', publisher: { listen: '127.0.0.1', port: 0, ...pubTls } }), a.cibFile, record);
const subscriber = await startDaemon(
  'subscriber',
  writeJson(dir, 'sub.json', { site: 'siteB', ticket: 'ticketA', stateDir: `${dir}/state`, nodeMap: { a1: 'b1', a2: 'b2' }, subscriber: { listen: '127.0.0.1', port: 0, ...subTls, publishers: [publisher.url], pollIntervalMs: 60_000 } }),
  b.cibFile,
  record,
);

const batchLimit = () => /name="batch-limit" value="([^"]*)"/.exec(b.read())?.[1];

/** Resolves when B's CIB file shows `value`: a directory watch plus a 2 ms re-read as a safety net. */
function committedAtB(value) {
  return new Promise((resolve) => {
    const check = () => {
      if (batchLimit() !== value) return;
      clearInterval(timer);
      watcher.close();
      resolve(performance.now());
    };
    const watcher = watch(dirname(b.cibFile), check);
    const timer = setInterval(check, 2);
    check();
  });
}

await committedAtB('20');
const samples = [];
for (let i = 1; i <= changes; i += 1) {
  const value = String(1000 + i);
  const startedWall = Date.now();
  const started = performance.now();
  const done = committedAtB(value);
  const r = spawnSync('cibadmin', ['--modify', '--xml-text', `<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="${value}"/>`], { env: { ...process.env, CIB_file: a.cibFile } });
  if (r.status !== 0) throw new Error(`cibadmin failed: ${r.stderr}`);
  const cibadminDone = performance.now();
  const committed = await done;
  // Let the subscriber finish its post-apply steps and start waiting again before the next change.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const built = events.find((e) => e.event === 'publication-built' && e.at >= startedWall);
  const parsed = events.find((e) => e.step === 'parse' && e.at >= startedWall);
  const applied = events.find((e) => e.step === 'apply' && e.at >= startedWall);
  const imported = events.find((e) => e.event === 'import-done' && e.at >= startedWall);
  samples.push({
    total: committed - started,
    cibadmin: cibadminDone - started,
    publisherBuild: built?.ms,
    builtToParsed: built && parsed ? parsed.at - built.at : undefined,
    parsedToApplied: parsed && applied ? applied.at - parsed.at : undefined,
    importTotal: imported?.ms,
  });
}
await subscriber.stop();
await publisher.stop();

const median = (key) => {
  const values = samples.map((s) => s[key]).filter((v) => typeof v === 'number').sort((x, y) => x - y);
  return values.length ? Math.round(percentile(values, 50)) : null;
};
const totals = samples.map((s) => s.total).sort((x, y) => x - y);
console.log(
  JSON.stringify(
    {
      benchmark: 'replication latency: cibadmin change at A → committed in B’s CIB file',
      machine: machine(),
      changes,
      p50_ms: Math.round(percentile(totals, 50)),
      p90_ms: Math.round(percentile(totals, 90)),
      p99_ms: Math.round(percentile(totals, 99)),
      max_ms: Math.round(totals[totals.length - 1]),
      median_breakdown_ms: {
        cibadmin_at_A: median('cibadmin'),
        publisher_build: median('publisherBuild'),
        built_to_subscriber_parsed: median('builtToParsed'),
        subscriber_parse_to_applied: median('parsedToApplied'),
        subscriber_import_total: median('importTotal'),
      },
    },
    null,
    2,
  ),
);
