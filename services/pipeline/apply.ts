// Step 7: write the candidate as a patch computed here (crm_diff --no-version + cibadmin --patch), so
// only what differs is touched. Under the write lock the CIB's epoch is checked first: if someone
// edited the configuration since the plan was made, nothing is written. The result is read back and
// compared; where the patch did not produce the candidate, the configuration section is replaced,
// and where even that fails the previous configuration is restored.
import { CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import { compareVersions, versionOf, type CibVersion, type Pacemaker } from '../pacemaker/index.js';
import { firstChild, sameXml, type XmlElement } from '../xml/index.js';
import { saveBackup } from './backup.js';
import { withConfiguration } from './verify.js';

export interface ApplyOptions {
  stateDir: string;
  keepBackups: number;
  logger: Logger;
  /** A patch already computed from `plannedOn` (valid because the epoch is checked first). */
  patch?: XmlElement;
}

export interface ApplyOutcome {
  method: 'patch' | 'replace';
  backup: string;
  after: CibVersion;
}

export function configurationOf(cib: XmlElement): XmlElement {
  const configuration = firstChild(cib, 'configuration');
  if (!configuration) throw new CibsyncError('CIBSYNC_PCMK_ERROR', 'the CIB has no <configuration> section');
  return configuration;
}

export async function applyConfiguration(pacemaker: Pacemaker, plannedOn: XmlElement, candidate: XmlElement, options: ApplyOptions): Promise<ApplyOutcome> {
  return pacemaker.write(async (writer) => {
    const current = await pacemaker.queryCib();
    const planned = versionOf(plannedOn);
    const now = versionOf(current);
    if (compareVersions(now, planned) !== 0) {
      throw new CibsyncError('CIBSYNC_CIB_CHANGED', `the local configuration changed from ${planned.admin_epoch}.${planned.epoch} to ${now.admin_epoch}.${now.epoch} since the plan was made; nothing was written`, {
        planned: `${planned.admin_epoch}.${planned.epoch}`,
        current: `${now.admin_epoch}.${now.epoch}`,
      });
    }
    const previous = configurationOf(current);
    const backup = await saveBackup(options.stateDir, previous, `${now.admin_epoch}.${now.epoch}`, options.keepBackups);
    const patch = options.patch ?? (await pacemaker.diff(current, withConfiguration(current, candidate)));
    let method: ApplyOutcome['method'] = 'patch';
    if (patch) await writer.patch(patch);
    let after = await pacemaker.queryCib();
    if (!sameXml(configurationOf(after), candidate)) {
      options.logger.warn({ step: 'apply', method: 'replace' }, 'the patch did not produce the candidate; replacing the configuration section');
      method = 'replace';
      await writer.replaceSection('configuration', candidate);
      after = await pacemaker.queryCib();
      if (!sameXml(configurationOf(after), candidate)) {
        await writer.replaceSection('configuration', previous);
        throw new CibsyncError('CIBSYNC_APPLY_MISMATCH', `after applying, the configuration differs from the candidate; the previous configuration was restored from ${backup}`, { backup });
      }
    }
    return { method, backup, after: versionOf(after) };
  });
}
