// Backups of the local configuration, taken before every write (the last N are kept); a rollback
// (pipeline/rollback.ts) puts one back.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CibsyncError } from '../errors.js';
import { removeStaleTemps } from '../pacemaker/temp-files.js';
import { parseXml, toDocument, type XmlElement } from '../xml/index.js';
import { ensureStateDir, stateAccessError, writeFileAtomic } from './files.js';

export interface Backup {
  /** 1 is the newest. */
  number: number;
  file: string;
  path: string;
}

function backupDir(stateDir: string): string {
  return join(stateDir, 'backups');
}

export async function listBackups(stateDir: string): Promise<Backup[]> {
  let names: string[];
  try {
    names = await readdir(backupDir(stateDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw stateAccessError(err, backupDir(stateDir), 'list');
  }
  return names
    .filter((n) => /^configuration-.*\.xml$/.test(n))
    .sort()
    .reverse()
    .map((file, i) => ({ number: i + 1, file, path: join(backupDir(stateDir), file) }));
}

/** Saves `configuration` (with the CIB version it had) and prunes all but the newest `keep`. */
export async function saveBackup(
  stateDir: string,
  configuration: XmlElement,
  label: string,
  keep: number,
  now = new Date(),
): Promise<string> {
  await ensureStateDir(backupDir(stateDir));
  // Each backup has a new name: the temporary file of one cut short by a kill -9 is found by folder.
  await removeStaleTemps(backupDir(stateDir));
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const path = join(backupDir(stateDir), `configuration-${stamp}-${label}.xml`);
  await writeFileAtomic(path, toDocument(configuration));
  for (const old of (await listBackups(stateDir)).slice(Math.max(1, keep))) await rm(old.path, { force: true });
  return path;
}

export async function readBackup(
  stateDir: string,
  number: number,
): Promise<{ backup: Backup; configuration: XmlElement }> {
  const backup = (await listBackups(stateDir)).find((b) => b.number === number);
  if (!backup) throw new CibsyncError('CIBSYNC_NO_BACKUP', `no backup number ${number} in ${backupDir(stateDir)}`);
  const configuration = parseXml(await readFile(backup.path, 'utf8'), { source: backup.path });
  if (configuration.name !== 'configuration')
    throw new CibsyncError('CIBSYNC_NO_BACKUP', `${backup.path} does not hold a <configuration>`);
  return { backup, configuration };
}
