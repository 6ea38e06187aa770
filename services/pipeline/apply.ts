// Step 7: write the candidate (configuration and node attributes together, <nodes> being part of the
// configuration) as one patch, so only what differs is touched and one import is one CIB write. The
// patch is crm_diff's, object by object, for a small change; for a large one it replaces the
// sections that differ whole (cib/section-patch.ts), which Pacemaker applies in time proportional
// to their size where crm_diff's patch of many objects grows with the square of it (measured:
// bench/apply-crossover.mjs, docs/benchmarks.md). Either way, under the write lock the CIB's
// admin_epoch.epoch is checked against the plan's; the patch is then versioned with the exact
// version read there, so cibadmin itself refuses it if anyone wrote in between. Nothing is ever
// overwritten: when the read-back does not show the candidate (another writer came right after, or
// the patch did not produce it), that is reported as a conflict and the next round plans again from
// what is there.
import {
  type CibVersion,
  compareVersions,
  configurationOfCib,
  formatVersion,
  type SectionReplace,
  sectionReplacement,
  versionOf,
  withConfiguration,
} from '../cib/index.js';
import { CibsyncError, isCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { saveBackup } from '../state/backups.js';
import { sameXml, type XmlElement } from '../xml/index.js';
import { summarizeChanges } from './summary.js';

/** How a configuration is written: crm_diff's patch (null: nothing differs), or whole sections. */
export type PlannedWrite = { method: 'patch'; patch: XmlElement | null } | ({ method: 'sections' } & SectionReplace);

export interface ApplyOptions {
  stateDir: string;
  keepBackups: number;
  logger: Logger;
  /** The write already planned from `plannedOn` (valid because the epoch is checked first). */
  write?: PlannedWrite;
}

export interface ApplyOutcome {
  method: PlannedWrite['method'];
  backup: string;
  after: CibVersion;
}

/**
 * From this many changed objects (resources, constraints, properties … as the plan names them) the
 * sections that differ are replaced whole. Measured (bench/apply-crossover.mjs, docs/benchmarks.md):
 * at 1,000 primitives crm_diff plus its patch cost as much as the section replace at about this
 * many changes and grow past it with every further one; below it the patch touches less.
 */
export const SECTION_REPLACE_FROM = 50;

/**
 * The write for turning `plannedOn`'s configuration into `candidate`, chosen by the size of the
 * change: `changedObjects` is the plan's count (summarizeChanges), counted here when not given.
 * crm_diff runs only when the patch is chosen.
 */
export async function planWrite(
  pacemaker: Pacemaker,
  plannedOn: XmlElement,
  candidate: XmlElement,
  changedObjects?: number,
): Promise<PlannedWrite> {
  const configuration = configurationOfCib(plannedOn);
  const changed = changedObjects ?? summarizeChanges(configuration, candidate).length;
  const sections = changed >= SECTION_REPLACE_FROM ? sectionReplacement(configuration, candidate) : undefined;
  if (sections) return { method: 'sections', ...sections };
  return { method: 'patch', patch: await pacemaker.diff(plannedOn, withConfiguration(plannedOn, candidate)) };
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
 * and the write (the plan's, or one planned now). Only the version is read: at the plan's
 * admin_epoch.epoch the configuration is the one the plan was made on (every change to it moves the
 * epoch, which is also what makes the plan's patch valid), so no second whole CIB is held here.
 */
async function prepare(
  pacemaker: Pacemaker,
  plannedOn: XmlElement,
  candidate: XmlElement,
  options: ApplyOptions,
): Promise<{ version: CibVersion; backup: string; write: PlannedWrite }> {
  const version = await pacemaker.rootVersion();
  checkUnchanged(plannedOn, version);
  const backup = await saveBackup(
    options.stateDir,
    configurationOfCib(plannedOn),
    formatVersion(version),
    options.keepBackups,
  );
  const write = options.write ?? (await planWrite(pacemaker, plannedOn, candidate));
  return { version, backup, write };
}

export async function applyConfiguration(
  pacemaker: Pacemaker,
  plannedOn: XmlElement,
  candidate: XmlElement,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  return pacemaker.write(async (writer) => {
    const { version, backup, write } = await prepare(pacemaker, plannedOn, candidate, options);
    const { patch } = write;
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
    return { method: write.method, backup, after: versionOf(after) };
  });
}
