// versionOf: the counters that guard every write. A garbage counter is refused, never read as 0
// (a CIB claiming epoch "abc" would otherwise look older than any publication).
import { describe, expect, it } from 'vitest';
import { versionOf } from '../../services/cib/index.js';
import { element } from '../../services/xml/index.js';

describe('versionOf', () => {
  it('reads the three counters, a missing one as 0', () => {
    expect(versionOf(element('cib', { admin_epoch: '2', epoch: '17' }))).toEqual({
      admin_epoch: 2,
      epoch: 17,
      num_updates: 0,
    });
  });

  it.each([['abc'], ['12x'], ['-1'], ['1.5'], [''], [' 3'], ['1e3'], ['99999999999999999999']])(
    'refuses epoch=%j with CIBSYNC_CIB_VERSION_INVALID',
    (epoch) => {
      expect(() => versionOf(element('cib', { admin_epoch: '0', epoch, num_updates: '0' }))).toThrow(
        expect.objectContaining({ code: 'CIBSYNC_CIB_VERSION_INVALID' }),
      );
    },
  );
});
