// Serialises writers. Within one process a promise queue; across processes an flock(1) on a lock
// file, held by a child (process/run.ts) that keeps it until we close its stdin (and so also when we
// die). File-backed CIBs need this: cibadmin writes them in place with no lock, and concurrent
// writers lose updates.
import { CibsyncError } from '../errors.js';
import { startProcess } from '../process/run.js';

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

/** flock -w bounds the wait; this margin on top kills a holder that hangs past it (a stuck file system). */
const LOCK_GRACE_MS = 5_000;

async function acquireFileLock(lockFile: string, waitMs: number): Promise<() => void> {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const holder = startProcess(
    'flock',
    ['-w', String(seconds), lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'],
    { timeoutMs: seconds * 1000 + LOCK_GRACE_MS },
  );
  const ended = await Promise.race([holder.firstOutput.then(() => undefined), holder.outcome]);
  if (!ended) {
    // Held until its stdin closes: by the release, or by our own death.
    holder.cancelTimeout();
    return () => holder.endInput();
  }
  if (ended.kind === 'spawn-failed')
    throw new CibsyncError('CIBSYNC_TOOL_MISSING', `flock: ${ended.message}`, { tool: 'flock' });
  const why =
    ended.kind === 'exited'
      ? `exit ${ended.code}`
      : ended.kind === 'signalled'
        ? `killed by ${ended.signal}`
        : ended.kind === 'timed-out'
          ? `no answer from flock within ${ended.timeoutMs} ms`
          : `flock printed more than ${ended.maxBytes} bytes`;
  const stderr = 'stderr' in ended ? ended.stderr.trim() : '';
  throw new CibsyncError('CIBSYNC_LOCK_TIMEOUT', `could not lock ${lockFile} within ${waitMs} ms (${why}) ${stderr}`, {
    lockFile,
  });
}
