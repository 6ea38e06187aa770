// Step 7: write the candidate (configuration and node attributes together, <nodes> being part of the
// configuration) as one patch, so only what differs is touched and one import is one CIB write.
// Under the write lock the CIB's admin_epoch.epoch is checked against the plan's; the patch is then
// versioned with the exact version read there, so cibadmin itself refuses it if anyone wrote in
// between. Nothing is ever replaced: when the read-back does not show the candidate (another writer
// came right after, or the patch did not produce it), that is reported as a conflict and the next
// round plans again from what is there.
import {
  type CibVersion,
  compareVersions,
  configurationOfCib,
  formatVersion,
  versionOf,
  withConfiguration,
} from '../cib/index.js';
import { CibsyncError, isCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { saveBackup } from '../state/backups.js';
import { sameXml, type XmlElement } from '../xml/index.js';

export interface ApplyOptions {
  stateDir: string;
  keepBackups: number;
  logger: Logger;
  /** A patch already computed from `plannedOn` (valid because the epoch is checked first). */
  patch?: XmlElement;
}

export interface ApplyOutcome {
  method: 'patch';
  backup: string;
  after: CibVersion;
}

/**
 * On the live cluster num_updates moves all the time (status updates), and a versioned patch wants it
 * exact: when only num_updates moved, the configuration is the planned one, so the patch is sent again
 * with the new version, at most this many times.
 */
const PATCH_ATTEMPTS = 5;

function checkUnchanged(plannedOn: XmlElement, now: CibVersion): void {
  const planned = versionOf(plannedOn);
  if (compareVersions(now, planned) !== 0) {
    throw new CibsyncError(
      'CIBSYNC_CIB_CHANGED',
      `the local configuration changed from ${formatVersion(planned)} to ${formatVersion(now)} since the plan was made; nothing was written`,
      {
        planned: formatVersion(planned),
        current: formatVersion(now),
      },
    );
  }
}

/** Sends the patch versioned for `current`; returns the version it was finally applied to. */
async function patchGuarded(
  pacemaker: Pacemaker,
  patch: (source: CibVersion) => Promise<void>,
  plannedOn: XmlElement,
  current: CibVersion,
): Promise<CibVersion> {
  for (let attempt = 1; ; attempt++) {
    const source = current;
    try {
      await patch(source);
      return source;
    } catch (err) {
      if (!isCibsyncError(err, 'CIBSYNC_CIB_CHANGED') || attempt >= PATCH_ATTEMPTS) throw err;
      current = await pacemaker.rootVersion();
      checkUnchanged(plannedOn, current);
    }
  }
}

/**
 * Under the lock: the CIB's version checked against the plan's, then the backup of its configuration
 * and the patch (the plan's, or one made now). Only the version is read: at the plan's
 * admin_epoch.epoch the configuration is the one the plan was made on (every change to it moves the
 * epoch, which is also what makes the plan's patch valid), so no second whole CIB is held here.
 */
async function prepare(
  pacemaker: Pacemaker,
  plannedOn: XmlElement,
  candidate: XmlElement,
  options: ApplyOptions,
): Promise<{ version: CibVersion; backup: string; patch: XmlElement | null }> {
  const version = await pacemaker.rootVersion();
  checkUnchanged(plannedOn, version);
  const backup = await saveBackup(
    options.stateDir,
    configurationOfCib(plannedOn),
    formatVersion(version),
    options.keepBackups,
  );
  const patch = options.patch ?? (await pacemaker.diff(plannedOn, withConfiguration(plannedOn, candidate)));
  return { version, backup, patch };
}

export async function applyConfiguration(
  pacemaker: Pacemaker,
  plannedOn: XmlElement,
  candidate: XmlElement,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  return pacemaker.write(async (writer) => {
    const { version, backup, patch } = await prepare(pacemaker, plannedOn, candidate, options);
    const source = patch ? await patchGuarded(pacemaker, (v) => writer.patch(patch, v), plannedOn, version) : version;
    const after = await pacemaker.queryCib();
    if (!sameXml(configurationOfCib(after), candidate)) {
      const now = versionOf(after);
      // The CIB manager bumps the epoch by one for the patch: any further step is someone else's write.
      const another = compareVersions(now, { admin_epoch: source.admin_epoch, epoch: source.epoch + 1 }) !== 0;
      options.logger.warn(
        { step: 'apply', patchedAt: formatVersion(source), now: formatVersion(now) },
        'the read-back differs from the candidate; nothing is overwritten',
      );
      throw new CibsyncError(
        'CIBSYNC_APPLY_CONFLICT',
        `the patch was written (the CIB was at ${formatVersion(source)}), but the configuration read back at ${formatVersion(now)} is not the candidate: ${another ? 'another writer changed it right after' : 'the patch did not produce it'}; nothing was overwritten, the next round plans again from what is there (backup of the previous configuration: ${backup})`,
        { written: true, after: now, backup },
      );
    }
    return { method: 'patch', backup, after: versionOf(after) };
  });
}
