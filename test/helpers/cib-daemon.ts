// A live CIB manager (corosync + pacemaker-based) in private namespaces, for the tests and the
// benchmark of the ticket watcher: see cib-daemon.sh. Needs root, unshare/nsenter and Pacemaker's daemons.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./cib-daemon.sh', import.meta.url));
const NEEDED = ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/lib/pacemaker/pacemaker-based', '/usr/sbin/corosync'];

/** Why a live CIB manager cannot run here, or undefined when it can. */
export function cibDaemonUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: unshare and pacemaker-based need root';
  for (const path of NEEDED) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      return `${path} is missing`;
    }
  }
  return undefined;
}

export interface CibDaemon {
  dir: string;
  /** PID 1 of the namespaces, as this process sees it. */
  pid: number;
  /** The command line prefix that runs a program inside the namespaces. */
  enter: string[];
  /** Runs a program inside the namespaces (their PID namespace too), to its end. */
  run(command: string, ...args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export async function startCibDaemon(): Promise<CibDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-cibd-'));
  const child: ChildProcess = spawn(
    'unshare',
    ['--net', '--mount', '--uts', '--ipc', '--pid', '--mount-proc', '--fork', '--kill-child', 'bash', SCRIPT, dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`cib-daemon.sh exited ${code}: ${stderr}`)));
  });
  const unsharePid = child.pid as number;
  const pid = Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(' ')[0]);
  const enter = ['nsenter', '--target', String(pid), '--net', '--mount', '--ipc', '--uts', '--pid', '--'];
  return {
    dir,
    pid,
    enter,
    run(command, ...args) {
      const r = spawnSync(enter[0] as string, [...enter.slice(1), command, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async stop() {
      if (child.exitCode === null) {
        // unshare ignores SIGTERM while it waits; the script (PID 1 inside) ends on it, and the kernel ends the rest.
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(pid, 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
