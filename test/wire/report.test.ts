// The Cibsync-Report header: what a subscriber writes, the publisher reads back; anything that is not
// a report is read as none (the request is served all the same), and the header stays ASCII and bounded.
import { describe, expect, it } from 'vitest';
import { encodeReport, parseReport, REPORT_MAX_CHARS, type SiteReport } from '../../services/wire/index.js';

const REPORT: SiteReport = {
  site: 'siteB',
  scope: 'configuration',
  applied: { digest: 'ab'.repeat(32), created: '2026-12-02T10:00:00.000Z', at: '2026-12-02T10:00:01.000Z' },
  error: { code: 'CIBSYNC_TRANSFORM_FAILED', message: 'refusé: batch-limit 666', at: '2026-12-02T10:00:02.000Z' },
  pendingPlans: ['20261202-100000-abcdef'],
  held: true,
  instance: '0f6b1f9e-0000-4000-8000-000000000000',
};

describe('the Cibsync-Report header', () => {
  it('reads back what was written, as ASCII', () => {
    const header = encodeReport(REPORT);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header).toContain('refus\\u00e9');
    expect(parseReport(header)).toEqual(REPORT);
    expect(parseReport(encodeReport({ scope: 'configuration', pendingPlans: [] }))).toEqual({
      scope: 'configuration',
      pendingPlans: [],
    });
  });

  it('bounds what it carries: a long message is cut, the plans listed are at most eight', () => {
    const long = encodeReport({
      ...REPORT,
      error: { ...(REPORT.error as NonNullable<SiteReport['error']>), message: 'x'.repeat(5000) },
      pendingPlans: Array.from({ length: 20 }, (_, i) => `plan-${i}`),
    });
    const read = parseReport(long);
    expect(read?.error?.message).toHaveLength(200);
    expect(read?.pendingPlans).toHaveLength(8);
  });

  it('reads anything else as no report', () => {
    for (const header of [
      undefined,
      ['{}', '{}'],
      'not json',
      '[]',
      '{}',
      '{"scope":"configuration"}',
      '{"scope":"configuration","pendingPlans":[1]}',
      '{"scope":"configuration","pendingPlans":[],"applied":{"digest":"a","created":"yesterday","at":"now"}}',
      '{"scope":"configuration","pendingPlans":[],"error":{"code":7}}',
      `{"scope":"configuration","pendingPlans":[],"instance":"${'i'.repeat(65)}"}`,
      `{"scope":"configuration","pendingPlans":[],"site":"${'s'.repeat(REPORT_MAX_CHARS)}"}`,
    ])
      expect(parseReport(header), JSON.stringify(header)).toBeUndefined();
  });
});
