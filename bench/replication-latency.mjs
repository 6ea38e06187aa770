// Latency from a `cibadmin` change at site A to the change committed in site B's CIB, through a real
// publisher and subscriber process over mutual TLS on 127.0.0.1, with file-backed CIBs.
//   node bench/replication-latency.mjs [CHANGES=100]
// Prints p50/p90/p99 and where the time goes (median per stage, from the daemons' own JSON logs:
// detect = cibadmin's exit to the start of the build; each pipeline step from the end of the one before).
import { spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import {
  machine,
  makeBenchSites,
  percentile,
  startDaemon,
  writePublisherConfig,
  writeSubscriberConfig,
} from './network-lib.mjs';

const changes = Number(process.argv[2] ?? 100);
const { dir, a, b, issue } = makeBenchSites();
const pubTls = issue('pubA');
const subTls = issue('subB');
const events = [];
const record = (entry) => events.push({ ...entry, at: Date.parse(entry.time) });

const publisher = await startDaemon('publisher', writePublisherConfig(dir, pubTls), a.cibFile, record);
const subscriber = await startDaemon(
  'subscriber',
  writeSubscriberConfig(dir, subTls, publisher.url, { pollIntervalMs: 60_000 }),
  b.cibFile,
  record,
);

/** The pipeline's step log lines, in order; each is written when its step ends. */
const PIPELINE_STEPS = ['parse', 'freshness', 'ticket', 'transform', 'splice', 'verify', 'diff', 'apply', 'done'];

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

const imported = (digest) =>
  events.some((e) => e.event === 'import-done' && (digest === undefined || e.digest === digest));
while (!imported()) await new Promise((resolve) => setTimeout(resolve, 20));
const samples = [];
for (let i = 1; i <= changes; i += 1) {
  const value = String(1000 + i);
  const startedWall = Date.now();
  const started = performance.now();
  const done = committedAtB(value);
  const r = spawnSync(
    'cibadmin',
    ['--modify', '--xml-text', `<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="${value}"/>`],
    { env: { ...process.env, CIB_file: a.cibFile } },
  );
  if (r.status !== 0) throw new Error(`cibadmin failed: ${r.stderr}`);
  const cibadminDone = performance.now();
  const committed = await done;
  const built = events.find((e) => e.event === 'publication-built' && e.at >= startedWall);
  // Let the subscriber finish the import and wait on the feed again before the next change.
  while (!imported(built?.digest)) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const steps = events.filter((e) => e.step && built && e.digest === built.digest);
  const at = (step) => steps.find((e) => e.step === step)?.at;
  const sample = {
    total: committed - started,
    afterCibadmin: committed - cibadminDone,
    cibadmin: cibadminDone - started,
    // The watcher's reaction (settle, version query) up to the start of the build.
    detect: built ? built.at - built.ms - (startedWall + (cibadminDone - started)) : undefined,
    build: built?.ms,
  };
  let previous = built?.at;
  for (const step of PIPELINE_STEPS) {
    const t = at(step);
    sample[step] = t !== undefined && previous !== undefined ? t - previous : undefined;
    previous = t ?? previous;
  }
  samples.push(sample);
}
await subscriber.stop();
await publisher.stop();

const median = (key) => {
  const values = samples
    .map((s) => s[key])
    .filter((v) => typeof v === 'number')
    .sort((x, y) => x - y);
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
      p50_after_cibadmin_exit_ms: median('afterCibadmin'),
      median_breakdown_ms: Object.fromEntries(
        ['cibadmin', 'detect', 'build', ...PIPELINE_STEPS].map((k) => [
          k === 'parse' ? 'transfer+parse' : k,
          median(k),
        ]),
      ),
      load_average: loadavg().map((l) => +l.toFixed(2)),
    },
    null,
    2,
  ),
);
