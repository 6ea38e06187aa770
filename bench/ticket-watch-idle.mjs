// Idle CPU of watching the ticket on a live cluster: a CIB manager (corosync + pacemaker-based, alone
// in private namespaces: test/helpers/cib-daemon.sh) with nothing changing, and for SECONDS each:
//   notify - a TicketGate fed by cibsync-ticket-watch (Pacemaker's diff notifications; the default)
//   poll   - the same without the program: `cibadmin --query --xpath` of the ticket_state every
//            ticketPollMs (1000 ms, the default)
// CPU time (user + system, children reaped included) from /proc/PID/stat of the Node process, of the
// notification program, and of pacemaker-based (which answers the queries), as seconds per hour.
// Needs root, `npm run build` (with pacemaker-dev), unshare/nsenter, corosync.
//   node bench/ticket-watch-idle.mjs [SECONDS=120]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, REPO } from './network-lib.mjs';

const seconds = Number(process.argv[2] ?? 120);
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

if (!process.env.CIBSYNC_BENCH_INSIDE) {
  // Runs itself again inside the namespaces, once the CIB manager answers.
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-bench-cibd-'));
  const args = ['--net', '--mount', '--uts', '--ipc', '--pid', '--mount-proc', '--fork', '--kill-child'];
  const inner = [join(REPO, 'test/helpers/cib-daemon.sh'), dir, process.execPath, ...process.argv.slice(1)];
  const r = spawnSync('unshare', [...args, 'bash', ...inner], {
    stdio: 'inherit',
    env: { ...process.env, CIBSYNC_BENCH_INSIDE: '1' },
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}

/** User + system CPU seconds of a process, and of its children it has waited for. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime + stime + cutime + cstime) / TICKS;
}

function pidOf(name) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry);
    } catch {}
  }
  throw new Error(`no ${name} running`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const perHour = (cpu) => +((cpu * 3600) / seconds).toFixed(2);

/** Starts the probe (test/watch/ticket-probe.mjs) and waits for its mode; `hide` hides dist/bin from it. */
async function probe(mode, hide) {
  const probeFile = join(REPO, 'test/watch/ticket-probe.mjs');
  const command = hide
    ? ['unshare', '--mount', 'sh', '-c', `mount -t tmpfs tmpfs '${REPO}/dist/bin' && exec node '${probeFile}' T 1000`]
    : [process.execPath, probeFile, 'T', '1000'];
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      log += c;
      if (log.includes(`"event":"ticket-watch-${mode}"`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`probe exited ${code}: ${log}`)));
  });
  await sleep(3000); // start-up over
  return child;
}

async function measure(mode, hide) {
  const child = await probe(mode, hide);
  const based = pidOf('pacemaker-based');
  const program =
    mode === 'notify'
      ? Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0])
      : undefined;
  const before = { node: cpuOf(child.pid), based: cpuOf(based), program: program && cpuOf(program) };
  await sleep(seconds * 1000);
  const result = {
    node_process: perHour(cpuOf(child.pid) - before.node),
    ...(program ? { ticket_watch_program: perHour(cpuOf(program) - before.program) } : {}),
    pacemaker_based: perHour(cpuOf(based) - before.based),
  };
  result.total = +Object.values(result)
    .reduce((x, y) => x + y, 0)
    .toFixed(2);
  child.stdin.end();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return result;
}

spawnSync('crm_ticket', ['--ticket', 'T', '--grant', '--force'], { stdio: 'ignore' });
const notify = await measure('notify', false);
const poll = await measure('poll', true);
console.log(
  JSON.stringify(
    {
      benchmark: `ticket watching, idle for ${seconds} s each (live CIB manager, ticket T granted)`,
      machine: machine(),
      cpu_seconds_per_hour: { notify, poll_every_1000_ms: poll },
    },
    null,
    2,
  ),
);
