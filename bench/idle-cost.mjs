// What detecting changes costs when nothing changes: a publisher and a subscriber (long-polling it)
// idle for SECONDS; CPU time of both processes, extrapolated to an hour. Also the cost of one
// root-only CIB query, which is what the live-cluster fallback (no readable disk copy) runs every
// changePollMs.
//   node bench/idle-cost.mjs [SECONDS=60]
import { spawnSync } from 'node:child_process';
import {
  cpuSeconds,
  machine,
  makeBenchSites,
  startDaemon,
  writePublisherConfig,
  writeSubscriberConfig,
} from './network-lib.mjs';

const seconds = Number(process.argv[2] ?? 60);
const { dir, a, b, issue } = makeBenchSites();
const pubTls = issue('pubA');
const subTls = issue('subB');
const publisher = await startDaemon('publisher', writePublisherConfig(dir, pubTls), a.cibFile);
let applied = false;
const subscriber = await startDaemon(
  'subscriber',
  writeSubscriberConfig(dir, subTls, publisher.url),
  b.cibFile,
  (e) => {
    if (e.event === 'import-done') applied = true;
  },
);
while (!applied) await new Promise((r) => setTimeout(r, 100));
await new Promise((r) => setTimeout(r, 3000));

const pids = { publisher: publisher.child.pid, subscriber: subscriber.child.pid };
const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
await new Promise((r) => setTimeout(r, seconds * 1000));
const perHour = Object.fromEntries(
  Object.entries(pids).map(([k, pid]) => [k, +(((cpuSeconds(pid) - before[k]) * 3600) / seconds).toFixed(2)]),
);
await subscriber.stop();
await publisher.stop();

// One root-only query: CPU of the child (user + system), median of 20.
const queryCpu = [];
for (let i = 0; i < 20; i += 1) {
  const r = spawnSync('sh', ['-c', 'cibadmin --query --xpath /cib --no-children >/dev/null; times'], {
    env: { ...process.env, CIB_file: a.cibFile },
    encoding: 'utf8',
  });
  const m = /\n?\d+m[\d.]+s \d+m[\d.]+s\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(r.stdout);
  if (m) queryCpu.push(Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]));
}
queryCpu.sort((x, y) => x - y);
const perQuery = queryCpu[Math.floor(queryCpu.length / 2)] ?? NaN;
console.log(
  JSON.stringify(
    {
      benchmark: `idle cost over ${seconds} s (file-backed CIBs, subscriber long-polling)`,
      machine: machine(),
      cpu_seconds_per_hour: perHour,
      root_query_cpu_ms: Math.round(perQuery * 1000),
      live_fallback_cpu_seconds_per_hour_at_250ms: Math.round(perQuery * 4 * 3600),
    },
    null,
    2,
  ),
);
