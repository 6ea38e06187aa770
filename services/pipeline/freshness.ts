// Step 2: refuse a publication older than the last one applied from the same source site (and scope).
import { compareVersions } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { Publication } from '../publication/index.js';
import { type AppliedSource, lastApplied } from '../state/sources.js';

export async function checkFreshness(stateDir: string, publication: Publication): Promise<AppliedSource | undefined> {
  const last = await lastApplied(stateDir, publication.site, publication.scopes);
  if (
    last &&
    compareVersions(
      { admin_epoch: publication.adminEpoch, epoch: publication.epoch },
      { admin_epoch: last.adminEpoch, epoch: last.epoch },
    ) < 0
  ) {
    throw new CibsyncError(
      'CIBSYNC_PUBLICATION_STALE',
      `publication from ${publication.site}${publication.scopes ? ` (scope ${publication.scopes.join(' + ')})` : ''} is at ${publication.adminEpoch}.${publication.epoch}, older than ${last.adminEpoch}.${last.epoch} applied at ${last.appliedAt}`,
      {
        site: publication.site,
        epoch: `${publication.adminEpoch}.${publication.epoch}`,
        applied: `${last.adminEpoch}.${last.epoch}`,
      },
    );
  }
  return last;
}
