// versionOf, compareVersions, formatVersion: the counters that guard every write. A garbage counter is refused, never read as 0
// (a CIB claiming epoch "abc" would otherwise look older than any publication).
import { describe, expect, it } from 'vitest';
import { compareVersions, formatVersion, versionOf, type CibVersion } from '../../services/cib/index.js';
import { element } from '../../services/xml/index.js';

describe('versionOf', () => {
  it('reads the three counters, a missing one as 0', () => {
    expect(versionOf(element('cib', { admin_epoch: '2', epoch: '17' }))).toEqual({ admin_epoch: 2, epoch: 17, num_updates: 0 });
  });

  it.each([['abc'], ['12x'], ['-1'], ['1.5'], [''], [' 3'], ['1e3'], ['99999999999999999999']])('refuses epoch=%j with CIBSYNC_CIB_VERSION_INVALID', (epoch) => {
    expect(() => versionOf(element('cib', { admin_epoch: '0', epoch, num_updates: '0' }))).toThrow(expect.objectContaining({ code: 'CIBSYNC_CIB_VERSION_INVALID' }));
  });
});

describe('compareVersions and formatVersion', () => {
  it('orders by admin_epoch, then epoch; num_updates does not count', () => {
    expect(compareVersions({ admin_epoch: 1, epoch: 0 }, { admin_epoch: 0, epoch: 99 })).toBeGreaterThan(0);
    expect(compareVersions({ admin_epoch: 0, epoch: 3 }, { admin_epoch: 0, epoch: 4 })).toBeLessThan(0);
    expect(compareVersions({ admin_epoch: 2, epoch: 5, num_updates: 1 } as CibVersion, { admin_epoch: 2, epoch: 5, num_updates: 9 } as CibVersion)).toBe(0);
  });

  it('writes admin_epoch.epoch, and num_updates when asked', () => {
    expect(formatVersion({ admin_epoch: 0, epoch: 12, num_updates: 3 })).toBe('0.12');
    expect(formatVersion({ admin_epoch: 0, epoch: 12, num_updates: 3 }, true)).toBe('0.12.3');
    expect(formatVersion({ admin_epoch: 1, epoch: 2 }, true)).toBe('1.2.0');
  });
});
