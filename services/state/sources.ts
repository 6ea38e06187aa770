// What was last applied from each source site (<stateDir>/sources/<site>.json): the publication's
// version and digest, for the freshness check, and the local CIB that import left behind, so that
// the same publication arriving again can be recognised without running the pipeline.
import { join } from 'node:path';
import type { Verdict } from '../pacemaker/index.js';
import { readJson, writeJson } from './files.js';

export interface AppliedSource {
  site: string;
  adminEpoch: number;
  epoch: number;
  digest: string;
  appliedAt: string;
  /** What that import left this site's CIB at: lets the same publication be recognised (pipeline/recognise.ts). */
  local?: AppliedLocally;
}

export interface AppliedLocally {
  /** The local CIB's admin_epoch and epoch after the import (written, or found unchanged). */
  adminEpoch: number;
  epoch: number;
  /** sha256 of the settings and stylesheets the import ran with. */
  settings: string;
  /** crm_verify's verdict on the local CIB (without resource history) after the import. */
  verdict: Verdict;
}

/** The fields of a publication that the record keeps (a Publication is one). */
export type AppliedPublication = Pick<AppliedSource, 'site' | 'adminEpoch' | 'epoch' | 'digest'>;

export function sourceStatePath(stateDir: string, site: string): string {
  return join(stateDir, 'sources', `${encodeURIComponent(site)}.json`);
}

export async function lastApplied(stateDir: string, site: string): Promise<AppliedSource | undefined> {
  return readJson<AppliedSource | undefined>(sourceStatePath(stateDir, site), undefined);
}

export async function recordApplied(
  stateDir: string,
  publication: AppliedPublication,
  local?: AppliedLocally,
  now = new Date(),
): Promise<void> {
  const entry: AppliedSource = {
    site: publication.site,
    adminEpoch: publication.adminEpoch,
    epoch: publication.epoch,
    digest: publication.digest,
    appliedAt: now.toISOString(),
    local,
  };
  await writeJson(sourceStatePath(stateDir, publication.site), entry);
}
