// Step 2: refuse a publication older than the last one applied from the same source site.
import { compareVersions } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { Publication } from '../publication/index.js';
import { readJson, sourceStatePath, writeJson, type AppliedLocally, type AppliedSource } from './state.js';

export async function lastApplied(stateDir: string, site: string): Promise<AppliedSource | undefined> {
  return readJson<AppliedSource | undefined>(sourceStatePath(stateDir, site), undefined);
}

export async function checkFreshness(stateDir: string, publication: Publication): Promise<AppliedSource | undefined> {
  const last = await lastApplied(stateDir, publication.site);
  if (last && compareVersions({ admin_epoch: publication.adminEpoch, epoch: publication.epoch }, { admin_epoch: last.adminEpoch, epoch: last.epoch }) < 0) {
    throw new CibsyncError(
      'CIBSYNC_PUBLICATION_STALE',
      `publication from ${publication.site} is at ${publication.adminEpoch}.${publication.epoch}, older than ${last.adminEpoch}.${last.epoch} applied at ${last.appliedAt}`,
      { site: publication.site, epoch: `${publication.adminEpoch}.${publication.epoch}`, applied: `${last.adminEpoch}.${last.epoch}` },
    );
  }
  return last;
}

export async function recordApplied(stateDir: string, publication: Publication, local?: AppliedLocally, now = new Date()): Promise<void> {
  const entry: AppliedSource = { site: publication.site, adminEpoch: publication.adminEpoch, epoch: publication.epoch, digest: publication.digest, appliedAt: now.toISOString(), local };
  await writeJson(sourceStatePath(stateDir, publication.site), entry);
}
