// The readiness verdict (services/subscriber/readiness.ts) from a subscriber status driven through its
// own methods: one reason per failed condition, each condition switched off by its own setting, the
// holder of the ticket always ready (booth runs the handler before every renewal).
import { describe, expect, it, vi } from 'vitest';
import { CibsyncError } from '../../services/errors.js';
import { evaluateReadiness, type ReadinessInputs } from '../../services/subscriber/readiness.js';
import { type PendingPlanSummary, SubscriberStatus } from '../../services/subscriber/status.js';

const ON = { requireApplied: true, maxAgeMs: 60_000, refuseAfterFailedImport: true, refusePendingPlan: true };
const SOURCE = {
  site: 'siteA',
  ticket: 'ticketA',
  adminEpoch: 0,
  epoch: 7,
  digest: 'd1',
  created: new Date().toISOString(),
};
const PLAN: PendingPlanSummary = {
  id: 'p1',
  createdAt: '2026-01-01T00:00:00.000Z',
  source: SOURCE,
  changes: 1,
  attributes: 0,
  transition: 0,
};

/** A status whose last publication was applied (and so confirmed) now. */
function current(): SubscriberStatus {
  const status = new SubscriberStatus('siteB');
  status.applied({ source: SOURCE, outcome: 'applied', changes: [], attributes: [] }, 'https://a');
  return status;
}

function verdict(status: SubscriberStatus, over: Partial<ReadinessInputs> = {}) {
  return evaluateReadiness({
    ticket: 'ticketA',
    followed: 'ticketA',
    held: false,
    status,
    pendingPlan: undefined,
    settings: ON,
    now: Date.now(),
    ...over,
  });
}
const codes = (v: ReturnType<typeof verdict>) => v.reasons.map((r) => r.code);

describe('readiness', () => {
  it('is ready with the publication applied and confirmed now', () => {
    expect(verdict(current())).toMatchObject({
      ready: true,
      reasons: [],
      scopes: [{ scope: 'ticketA', digest: 'd1' }],
    });
  });

  it('a site that gave the ticket up was its own source until then: ready to take it back, stale after maxAgeMs', () => {
    const former = new SubscriberStatus('siteB');
    former.ticketAnswer(false);
    expect(codes(verdict(former))).toEqual(['CIBSYNC_READY_NOT_APPLIED', 'CIBSYNC_READY_STALE']);
    former.ticketAnswer(true);
    former.ticketAnswer(false);
    expect(verdict(former)).toMatchObject({ ready: true, reasons: [] });
    expect(codes(verdict(former, { now: Date.now() + 61_000 }))).toEqual(['CIBSYNC_READY_STALE']);
  });

  it("currentAsOf (the takeover plan's age and readiness's): the latest confirmation or end of holding the ticket", () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-12-02T10:00:00.000Z'));
      const status = current();
      expect(status.currentAsOf).toBe('2026-12-02T10:00:00.000Z');
      vi.setSystemTime(new Date('2026-12-02T10:05:00.000Z'));
      status.notModified('d1'); // a publisher answers "not modified" to the digest applied here
      expect(status.currentAsOf).toBe('2026-12-02T10:05:00.000Z');
      expect(status.lastApplied?.checkedAt, 'the pipeline did not run again').toBe('2026-12-02T10:00:00.000Z');
      vi.setSystemTime(new Date('2026-12-02T10:06:00.000Z'));
      status.ticketAnswer(true);
      status.ticketAnswer(false);
      expect(status.currentAsOf).toBe('2026-12-02T10:06:00.000Z');
    } finally {
      vi.useRealTimers();
    }
  });

  it('nothing applied: not applied and never confirmed; requireApplied and maxAgeMs each lift one', () => {
    const fresh = new SubscriberStatus('siteB');
    expect(codes(verdict(fresh))).toEqual(['CIBSYNC_READY_NOT_APPLIED', 'CIBSYNC_READY_STALE']);
    expect(codes(verdict(fresh, { settings: { ...ON, requireApplied: false } }))).toEqual(['CIBSYNC_READY_STALE']);
    expect(codes(verdict(fresh, { settings: { ...ON, maxAgeMs: 0 } }))).toEqual(['CIBSYNC_READY_NOT_APPLIED']);
  });

  it('a hold counts under requireApplied', () => {
    const status = current();
    status.setHold({ by: 'root@b1', at: '2026-01-01T00:00:00.000Z', reason: 'rollback' });
    expect(codes(verdict(status))).toEqual(['CIBSYNC_READY_ON_HOLD']);
    expect(verdict(status, { settings: { ...ON, requireApplied: false } }).ready).toBe(true);
  });

  it('stale: measured from the last confirmation, which a "not modified" for the applied digest renews', () => {
    const status = current();
    const later = Date.now() + 61_000;
    expect(codes(verdict(status, { now: later }))).toEqual(['CIBSYNC_READY_STALE']);
    expect(verdict(status, { now: later, settings: { ...ON, maxAgeMs: 0 } }).ready).toBe(true);
    status.confirmedAt = new Date(Date.now() - 120_000).toISOString();
    status.notModified('another digest'); // a refused publication's digest confirms nothing
    expect(codes(verdict(status))).toEqual(['CIBSYNC_READY_STALE']);
    status.notModified('d1');
    expect(verdict(status).ready).toBe(true);
  });

  it('a failed import refuses until an import goes through; refuseAfterFailedImport lifts it', () => {
    const status = current();
    status.importFailed(new CibsyncError('CIBSYNC_CANDIDATE_WORSE', 'candidate worse'));
    expect(verdict(status).reasons).toEqual([
      expect.objectContaining({
        code: 'CIBSYNC_READY_IMPORT_FAILED',
        message: expect.stringContaining('CIBSYNC_CANDIDATE_WORSE: candidate worse'),
      }),
    ]);
    expect(verdict(status, { settings: { ...ON, refuseAfterFailedImport: false } }).ready).toBe(true);
    status.importDone();
    expect(verdict(status).ready).toBe(true);
  });

  it('a pending plan refuses; refusePendingPlan lifts it', () => {
    expect(codes(verdict(current(), { pendingPlan: PLAN }))).toEqual(['CIBSYNC_READY_PLAN_PENDING']);
    expect(verdict(current(), { pendingPlan: PLAN, settings: { ...ON, refusePendingPlan: false } }).ready).toBe(true);
  });

  it('the site that holds the ticket is ready whatever its replica (renewals); another ticket never is', () => {
    const fresh = new SubscriberStatus('siteB');
    expect(verdict(fresh, { held: true })).toMatchObject({ ready: true, note: 'this site holds ticket ticketA' });
    expect(codes(verdict(fresh, { held: undefined }))).toEqual(['CIBSYNC_READY_NOT_APPLIED', 'CIBSYNC_READY_STALE']);
    expect(codes(verdict(current(), { ticket: 'other', held: true }))).toEqual(['CIBSYNC_READY_OTHER_TICKET']);
  });

  it('keeps the last verdict and the last refusal for status', () => {
    const status = current();
    const refused = verdict(status, { pendingPlan: PLAN });
    status.readinessChecked(refused);
    status.readinessChecked(verdict(status));
    expect(status.snapshot().readiness).toMatchObject({
      last: { ready: true },
      lastRefusal: { ready: false, at: refused.at },
    });
  });
});
