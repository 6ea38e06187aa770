// Latency from a `cibadmin` change at site A to the change committed in site B's CIB, through a real
// publisher and subscriber process over mutual TLS on 127.0.0.1, with file-backed CIBs.
//   node bench/replication-latency.mjs [CHANGES=100]
// Prints p50/p90/p99 and where the time goes (median per stage, from the daemons' own JSON logs:
// detect = cibadmin's exit to the start of the build; each pipeline step from the end of the one before).
// Then, in the same run, the Pacemaker tool runs that remain on the critical path, by hand on copies
// of the two CIB files (what runs at once in the pipeline counted once, as the longer of the two),
// and the p50 as a ratio to their sum.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, watch } from 'node:fs';
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

/** One tool run on a CIB file, timed (ms); `input` goes to its standard input. */
function toolMs(cibFile, cmd, args, input) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, CIB_file: cibFile, LC_ALL: 'C' } });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t));
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.end(input ?? '');
  });
}
const copyOf = (file, name) => {
  const copy = `${dir}/${name}.xml`;
  copyFileSync(file, copy);
  return copy;
};
const aCopy = copyOf(a.cibFile, 'a-tools');
const bCopy = copyOf(b.cibFile, 'b-tools');
const aText = a.read();
const bText = b.read();
const toolRounds = [];
for (let i = 0; i < 20; i += 1) {
  const writeCopy = copyOf(b.cibFile, 'b-write');
  const [aQuery, aVerify] = [
    await toolMs(aCopy, 'cibadmin', ['--query']),
    await toolMs(aCopy, 'crm_verify', ['--xml-pipe'], aText),
  ];
  const [bTicket, bQuery] = await Promise.all([
    toolMs(bCopy, 'crm_ticket', ['--ticket', 'ticketA', '--details']),
    toolMs(bCopy, 'cibadmin', ['--query']),
  ]);
  const [bVerify, bDiff] = await Promise.all([
    toolMs(bCopy, 'crm_verify', ['--xml-pipe'], bText),
    toolMs(bCopy, 'crm_diff', ['--original', bCopy, '--new', bCopy, '--no-version']),
  ]);
  const bRoot = await toolMs(bCopy, 'cibadmin', ['--query', '--xpath', '/cib', '--no-children']);
  const bWrite = await toolMs(writeCopy, 'cibadmin', [
    '--modify',
    '--xml-text',
    `<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="${i}"/>`,
  ]);
  const bReadBack = await toolMs(bCopy, 'cibadmin', ['--query']);
  toolRounds.push({
    'A: cibadmin --query': aQuery,
    'A: crm_verify': aVerify,
    'B: crm_ticket ‖ cibadmin --query': Math.max(bTicket, bQuery),
    'B: crm_verify ‖ crm_diff': Math.max(bVerify, bDiff),
    'B: root version query': bRoot,
    'B: cibadmin write': bWrite,
    'B: read-back cibadmin --query': bReadBack,
  });
}
const toolMedian = (key) =>
  percentile(
    toolRounds.map((r) => r[key]).sort((x, y) => x - y),
    50,
  );
const toolKeys = Object.keys(toolRounds[0]);
const toolSum = toolKeys.reduce((sum, key) => sum + toolMedian(key), 0);

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
      critical_path_tools_median_ms: Object.fromEntries(toolKeys.map((k) => [k, Math.round(toolMedian(k))])),
      critical_path_tools_sum_ms: Math.round(toolSum),
      p50_over_tools_sum: +(percentile(totals, 50) / toolSum).toFixed(2),
      load_average: loadavg().map((l) => +l.toFixed(2)),
    },
    null,
    2,
  ),
);
