// The subscriber's own small state files (state directory): what it applied from each source, and
// which node attributes it set. Written atomically (temp file + rename), read tolerant of absence.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CibsyncError } from '../errors.js';

export async function readJson<T>(path: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `state file ${path} is damaged: ${(err as Error).message}`);
  }
}

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export interface AppliedSource {
  site: string;
  adminEpoch: number;
  epoch: number;
  digest: string;
  appliedAt: string;
}

export function sourceStatePath(stateDir: string, site: string): string {
  return join(stateDir, 'sources', `${encodeURIComponent(site)}.json`);
}

export function attributeStatePath(stateDir: string): string {
  return join(stateDir, 'node-attributes.json');
}

export function holdStatePath(stateDir: string): string {
  return join(stateDir, 'hold.json');
}
