// What was last applied from each source site (<stateDir>/sources/<site>.json), and from each scope of
// a site for scoped publications (<site>@<scopes>.json, e.g. siteA@ticketA+global.json): the publication's
// version and digest, for the freshness check, and the local CIB that import left behind, so that
// the same publication arriving again can be recognised without running the pipeline.
import { join } from 'node:path';
import type { Verdict } from '../pacemaker/index.js';
import { readJson, writeJson } from './files.js';

export interface AppliedSource {
  site: string;
  /** The scopes of a scoped publication (format 3); absent: the whole configuration. */
  scopes?: string[];
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
export type AppliedPublication = Pick<AppliedSource, 'site' | 'scopes' | 'adminEpoch' | 'epoch' | 'digest'>;

/** Each scope of a source is recorded on its own: scopes arrive and are applied independently. */
export function sourceStatePath(stateDir: string, site: string, scopes?: string[]): string {
  const scope = scopes ? `@${scopes.map(encodeURIComponent).join('+')}` : '';
  return join(stateDir, 'sources', `${encodeURIComponent(site)}${scope}.json`);
}

export async function lastApplied(
  stateDir: string,
  site: string,
  scopes?: string[],
): Promise<AppliedSource | undefined> {
  return readJson<AppliedSource | undefined>(sourceStatePath(stateDir, site, scopes), undefined);
}

export async function recordApplied(
  stateDir: string,
  publication: AppliedPublication,
  local?: AppliedLocally,
  now = new Date(),
): Promise<void> {
  const entry: AppliedSource = {
    site: publication.site,
    ...(publication.scopes ? { scopes: publication.scopes } : {}),
    adminEpoch: publication.adminEpoch,
    epoch: publication.epoch,
    digest: publication.digest,
    appliedAt: now.toISOString(),
    local,
  };
  await writeJson(sourceStatePath(stateDir, publication.site, publication.scopes), entry);
}
