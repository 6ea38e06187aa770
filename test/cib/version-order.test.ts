// compareVersions and formatVersion: how versions are ordered (num_updates never counts) and written.
import { describe, expect, it } from 'vitest';
import { type CibVersion, compareVersions, formatVersion } from '../../services/cib/index.js';

describe('compareVersions and formatVersion', () => {
  it('orders by admin_epoch, then epoch; num_updates does not count', () => {
    expect(compareVersions({ admin_epoch: 1, epoch: 0 }, { admin_epoch: 0, epoch: 99 })).toBeGreaterThan(0);
    expect(compareVersions({ admin_epoch: 0, epoch: 3 }, { admin_epoch: 0, epoch: 4 })).toBeLessThan(0);
    expect(
      compareVersions(
        { admin_epoch: 2, epoch: 5, num_updates: 1 } as CibVersion,
        { admin_epoch: 2, epoch: 5, num_updates: 9 } as CibVersion,
      ),
    ).toBe(0);
  });

  it('writes admin_epoch.epoch, and num_updates when asked', () => {
    expect(formatVersion({ admin_epoch: 0, epoch: 12, num_updates: 3 })).toBe('0.12');
    expect(formatVersion({ admin_epoch: 0, epoch: 12, num_updates: 3 }, true)).toBe('0.12.3');
    expect(formatVersion({ admin_epoch: 1, epoch: 2 }, true)).toBe('1.2.0');
  });
});
