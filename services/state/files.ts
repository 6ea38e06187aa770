// How every state file is read and written (state directory: sources, node attributes, hold,
// backups, plans): written atomically (temp file + rename), read tolerant of absence. A file system
// error on them (permissions, read-only, full disk) is CIBSYNC_STATE_ACCESS naming the path, and the
// directory is probed before the CIB is written, so an import never writes the CIB and then fails
// to record it for such a reason.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CibsyncError } from '../errors.js';
import { removeStaleTempsOf, tempPathFor } from '../pacemaker/temp-files.js';

/** Wraps a file system failure on `path` into CIBSYNC_STATE_ACCESS; anything else is rethrown. */
export function stateAccessError(err: unknown, path: string, doing: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return err;
  return new CibsyncError('CIBSYNC_STATE_ACCESS', `cannot ${doing} ${path}: ${code} (${(err as Error).message})`, {
    path,
    errno: code,
  });
}

async function guarded<T>(path: string, doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw stateAccessError(err, path, doing);
  }
}

export async function readJson<T>(path: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw stateAccessError(err, path, 'read');
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `state file ${path} is damaged: ${(err as Error).message}`);
  }
}

export async function ensureStateDir(dir: string): Promise<void> {
  await guarded(dir, 'create the folder', () => mkdir(dir, { recursive: true, mode: 0o700 }));
}

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await ensureStateDir(dirname(path));
  const tmp = tempPathFor(path);
  await guarded(path, 'write', async () => {
    await removeStaleTempsOf(path);
    try {
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  });
}

export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Checks, before the CIB is written, that every state file an import writes afterwards can be
 * written: the same temp-file-and-rename, into the same folders, of the same files' contents.
 */
export async function checkStateWritable(paths: string[]): Promise<void> {
  for (const path of paths) {
    const probe = `${path}.probe`;
    await ensureStateDir(dirname(path));
    await guarded(path, 'write', async () => {
      await removeStaleTempsOf(probe);
      const existing = await stat(path).catch(() => undefined);
      if (existing && !existing.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      try {
        await writeFile(tempPathFor(probe), '{}\n', { mode: 0o600 });
        await rename(tempPathFor(probe), probe);
      } finally {
        await rm(tempPathFor(probe), { force: true });
        await rm(probe, { force: true });
      }
    });
  }
}
