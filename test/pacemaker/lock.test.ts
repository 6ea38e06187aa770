// The cross-process write lock (flock(1) held by a child process): it waits for another holder, gives
// up with CIBSYNC_LOCK_TIMEOUT, and holds the lock for as long as the write takes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteLock } from '../../services/pacemaker/lock.js';

let dir: string;
let others: ChildProcess[] = [];
afterEach(() => {
  for (const p of others) killGroup(p);
  others = [];
  rmSync(dir, { recursive: true, force: true });
});

/** flock's child inherits the lock: the whole process group goes. */
function killGroup(p: ChildProcess): void {
  try {
    process.kill(-(p.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Another process holding the lock until its group is killed; resolves once it holds it. */
function holdElsewhere(lockFile: string): Promise<ChildProcess> {
  const p = spawn('flock', [lockFile, 'sh', '-c', 'echo held; exec sleep 60'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  others.push(p);
  return new Promise((resolve) => p.stdout?.once('data', () => resolve(p)));
}

/** Whether another process could take the lock right now. */
const freeElsewhere = (lockFile: string) => spawnSync('flock', ['-n', lockFile, 'true']).status === 0;

describe('WriteLock', () => {
  it('gives up on a lock another process holds: CIBSYNC_LOCK_TIMEOUT naming the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cibsync-lock-'));
    const lockFile = join(dir, 'cib.xml.lock');
    await holdElsewhere(lockFile);
    let ran = false;
    const err = await new WriteLock(lockFile, 1000).run(async () => (ran = true)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_LOCK_TIMEOUT', details: { lockFile } });
    expect((err as Error).message).toContain(`could not lock ${lockFile} within 1000 ms (exit 1)`);
    expect(ran).toBe(false);
  });

  it('holds the lock while the write runs (past the wait limit), and lets it go after', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cibsync-lock-'));
    const lockFile = join(dir, 'cib.xml.lock');
    const lock = new WriteLock(lockFile, 1000);
    const seen = await lock.run(async () => {
      const early = freeElsewhere(lockFile);
      // Longer than the wait limit and its margin: the holder must not be killed as timed out.
      await new Promise((r) => setTimeout(r, 7_000));
      return { early, late: freeElsewhere(lockFile) };
    });
    expect(seen).toEqual({ early: false, late: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(freeElsewhere(lockFile)).toBe(true);
  }, 20_000);

  it('waits for another holder and takes the lock when it is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cibsync-lock-'));
    const lockFile = join(dir, 'cib.xml.lock');
    const other = await holdElsewhere(lockFile);
    const result = new WriteLock(lockFile, 30_000).run(async () => 'written');
    setTimeout(() => killGroup(other), 300);
    await expect(result).resolves.toBe('written');
  });
});
