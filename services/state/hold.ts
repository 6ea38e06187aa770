// Replication on hold: an operator (`cibsync hold`, or `cibsync rollback`, which holds by itself) stops
// this site from taking the source's configuration until `cibsync resume`. The hold is a file in the
// state directory, so the CLI, the running subscriber and a restarted one all see the same hold.
import { rm } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { CibsyncError } from '../errors.js';
import { readJson, writeJson } from './files.js';

export interface Hold {
  /** Who placed it: user@host. */
  by: string;
  at: string;
  /** Empty when none was given. */
  reason: string;
}

function holdStatePath(stateDir: string): string {
  return join(stateDir, 'hold.json');
}

export async function readHold(stateDir: string): Promise<Hold | undefined> {
  const path = holdStatePath(stateDir);
  const hold = await readJson<Partial<Hold> | null>(path, null);
  if (hold === null) return undefined;
  // A damaged hold still holds: refusing is the safe reading of a file nobody can read.
  if (typeof hold !== 'object' || typeof hold.at !== 'string' || typeof hold.by !== 'string')
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `state file ${path} is damaged: not a hold`);
  return { by: hold.by, at: hold.at, reason: typeof hold.reason === 'string' ? hold.reason : '' };
}

/** The person at the keyboard, as the hold records them. */
export function operatorName(): string {
  let user = process.env.SUDO_USER;
  try {
    user ||= userInfo().username;
  } catch {
    user ||= `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()}`;
}

/** Places a hold unless one is in place already (that one stays, with its own who, when and why). */
export async function placeHold(
  stateDir: string,
  reason: string,
  by = operatorName(),
  now = new Date(),
): Promise<{ hold: Hold; placed: boolean }> {
  const existing = await readHold(stateDir);
  if (existing) return { hold: existing, placed: false };
  const hold = { by, at: now.toISOString(), reason };
  await writeJson(holdStatePath(stateDir), hold);
  return { hold, placed: true };
}

/** Lifts the hold; returns the one lifted (undefined when there was none). */
export async function liftHold(stateDir: string): Promise<Hold | undefined> {
  const hold = await readHold(stateDir).catch(() => ({ by: 'unknown', at: 'unknown', reason: 'damaged hold file' }));
  await rm(holdStatePath(stateDir), { force: true });
  return hold;
}

export function describeHold(hold: Hold): string {
  return `on hold since ${hold.at} by ${hold.by}${hold.reason ? `: ${hold.reason}` : ' (no reason given)'}`;
}

/** The pipeline's guard: throws CIBSYNC_ON_HOLD while a hold is in place. */
export async function checkNotOnHold(stateDir: string): Promise<void> {
  const hold = await readHold(stateDir);
  if (hold)
    throw new CibsyncError(
      'CIBSYNC_ON_HOLD',
      `replication is ${describeHold(hold)}; nothing is applied until \`cibsync resume\``,
      { hold },
    );
}
