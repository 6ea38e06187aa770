// Serialises writers. Within one process a promise queue; across processes an flock(1) on a lock
// file, held by a child that keeps it until we close its stdin (and so also when we die). File-backed
// CIBs need this: cibadmin writes them in place with no lock, and concurrent writers lose updates.
import { spawn } from 'node:child_process';
import { CibsyncError } from '../errors.js';

export class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly lockFile: string | undefined,
    private readonly waitMs: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((r) => (release = r));
    await previous;
    try {
      const unlock = this.lockFile ? await acquireFileLock(this.lockFile, this.waitMs) : () => undefined;
      try {
        return await fn();
      } finally {
        unlock();
      }
    } finally {
      release();
    }
  }
}

function acquireFileLock(lockFile: string, waitMs: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
    const holder = spawn('flock', ['-w', seconds, lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let settled = false;
    let stderr = '';
    holder.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    holder.stdout.on('data', () => {
      if (settled) return;
      settled = true;
      resolve(() => holder.stdin.end());
    });
    holder.on('error', (e) => {
      if (!settled) reject(new CibsyncError('CIBSYNC_TOOL_MISSING', `flock: ${e.message}`, { tool: 'flock' }));
      settled = true;
    });
    holder.on('close', (code) => {
      if (settled) return;
      settled = true;
      reject(new CibsyncError('CIBSYNC_LOCK_TIMEOUT', `could not lock ${lockFile} within ${waitMs} ms (exit ${code}) ${stderr.trim()}`, { lockFile }));
    });
  });
}
