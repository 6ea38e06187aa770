// No work twice: the publication last applied from a source, arriving again, onto a local CIB that
// has not changed since (same admin_epoch and epoch), under the same settings and stylesheets, would
// give the same candidate, the same verdict and an empty diff. That is recognised from the digests
// and one root-only version query, without transforms, crm_verify, crm_diff or a full CIB query.
// Any doubt runs the whole pipeline: a missing record, another digest, any configuration change at
// this site (every one bumps epoch or admin_epoch), other settings, a changed stylesheet.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type CibVersion, compareVersions } from '../cib/index.js';
import type { Config } from '../config/index.js';
import type { Pacemaker } from '../pacemaker/index.js';
import type { Publication } from '../publication/index.js';
import type { AppliedLocally, AppliedSource } from '../state/sources.js';
import { siteStylesheets } from '../transform/site.js';

/** sha256 over every setting and the text of every stylesheet: what decides the candidate besides the publication and the CIB. */
export async function settingsDigest(config: Config): Promise<string> {
  const stylesheets = await siteStylesheets(config);
  const hash = createHash('sha256').update(JSON.stringify({ ...config, logLevel: undefined }));
  for (const file of stylesheets) hash.update(`\0${file}\0`).update(await readFile(file));
  return hash.digest('hex');
}

/** What an import records of the local CIB it leaves behind. */
export async function appliedLocally(
  config: Config,
  version: CibVersion,
  verdict: AppliedLocally['verdict'],
): Promise<AppliedLocally> {
  return { adminEpoch: version.admin_epoch, epoch: version.epoch, settings: await settingsDigest(config), verdict };
}

/** The record of the last import from this source when `publication` is that same one (same digest). */
export function recordOfSame(publication: Publication, last: AppliedSource | undefined): AppliedLocally | undefined {
  return last?.local && last.digest === publication.digest ? last.local : undefined;
}

/**
 * Whether the CIB is still where `local` (the record of the same publication's import) left it, under
 * the same settings and stylesheets; then the current version, else undefined: the pipeline must run.
 */
export async function stillAsApplied(
  local: AppliedLocally,
  config: Config,
  pacemaker: Pacemaker,
): Promise<CibVersion | undefined> {
  const [settings, now] = await Promise.all([settingsDigest(config).catch(() => undefined), pacemaker.rootVersion()]);
  if (settings !== local.settings || compareVersions(now, { admin_epoch: local.adminEpoch, epoch: local.epoch }) !== 0)
    return undefined;
  return now;
}
