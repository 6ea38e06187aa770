// Private temporary files next to the file they will replace (`<path>.tmp-<pid>`), renamed into place
// so that a reader never sees half a file. A process killed with -9 leaves its temporary file behind:
// the next writer removes those whose process is gone.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the `<name>.tmp-<pid>` files in `dir` (of any name, or of `name` only) left by dead processes. */
export async function removeStaleTemps(dir: string, name?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const file of names) {
    const m = /^(.*)\.tmp-(\d+)$/.exec(file);
    if (!m || (name !== undefined && m[1] !== name)) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, file), { force: true });
    removed.push(file);
  }
  return removed;
}

export function removeStaleTempsOf(path: string): Promise<string[]> {
  return removeStaleTemps(dirname(path), basename(path));
}
