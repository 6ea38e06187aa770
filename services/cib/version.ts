// A CIB's version counters (admin_epoch, epoch, num_updates): what guards every write and orders
// publications from one source.
import { CibsyncError } from '../errors.js';
import type { XmlElement } from '../xml/index.js';

export interface CibVersion {
  admin_epoch: number;
  epoch: number;
  num_updates: number;
}

/** "admin_epoch.epoch", or with `withUpdates` "admin_epoch.epoch.num_updates". */
export function formatVersion(
  v: Pick<CibVersion, 'admin_epoch' | 'epoch'> & Partial<CibVersion>,
  withUpdates = false,
): string {
  return withUpdates ? `${v.admin_epoch}.${v.epoch}.${v.num_updates ?? 0}` : `${v.admin_epoch}.${v.epoch}`;
}

/** The version counters of a CIB; a missing one counts as 0, a garbage one is refused (never read as 0). */
export function versionOf(cib: XmlElement): CibVersion {
  const n = (name: string) => {
    const raw = cib.attrs[name];
    if (raw === undefined) return 0;
    if (!/^[0-9]{1,15}$/.test(raw))
      throw new CibsyncError(
        'CIBSYNC_CIB_VERSION_INVALID',
        `the CIB's ${name} is '${raw.slice(0, 40)}', not a non-negative integer`,
        { attribute: name },
      );
    return Number(raw);
  };
  return { admin_epoch: n('admin_epoch'), epoch: n('epoch'), num_updates: n('num_updates') };
}

export function compareVersions(
  a: Pick<CibVersion, 'admin_epoch' | 'epoch'>,
  b: Pick<CibVersion, 'admin_epoch' | 'epoch'>,
): number {
  return a.admin_epoch - b.admin_epoch || a.epoch - b.epoch;
}
