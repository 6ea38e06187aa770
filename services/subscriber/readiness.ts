// Is this site's replica ready for it to take the ticket? Booth's before-acquire handler asks (through
// `cibsync takeover ready` and GET /v1/takeover/:ticket/readiness) before booth grants or renews the
// ticket here. The verdict is made from what the subscriber knows, one reason (a stable code) per
// condition that fails, each condition switched by its setting (subscriber.readiness).
//
// "Not older than maxAgeMs" measures the time since a publisher that serves last confirmed that this
// site holds its current publication (status.confirmedAt), not the age of the publication itself: a
// configuration left unchanged for a month is current, while one that a publisher has not confirmed
// for an hour may miss an hour of changes. A site that held the ticket was its own source until it
// gave the ticket up (status.heldUntil): it counts as applied and confirmed at that moment, so the
// site that just gave the ticket up may take it back within maxAgeMs.
import type { ReadinessConfig } from '../config/index.js';
import type { ErrorCode } from '../errors.js';
import { describeHold } from '../state/hold.js';
import type { PendingPlanSummary, ReadinessRecord, SubscriberStatus } from './status.js';

export interface ReadinessInputs {
  /** The ticket asked about, and the one this subscriber replicates. */
  ticket: string;
  followed: string;
  /** Whether this site holds the followed ticket now (undefined: the query failed). */
  held: boolean | undefined;
  status: SubscriberStatus;
  pendingPlan: PendingPlanSummary | undefined;
  settings: ReadinessConfig;
  now: number;
}

export interface ReadinessVerdict extends ReadinessRecord {
  /** Why ready without checking the replica: this site holds the ticket (booth renews it). */
  note?: string;
  /** Per scope of the ticket: what was applied and when a publisher last confirmed it. */
  scopes: { scope: string; digest?: string; sourceSite?: string; appliedAt?: string; confirmedAt?: string }[];
}

type Reason = ReadinessRecord['reasons'][number] & { code: ErrorCode };

/**
 * The scopes of a ticket and what this site holds of each. Today a ticket is one scope: its one
 * publication (issue #9 splits a configuration into ticket scopes; each gets its own entry here).
 */
function scopesOf(ticket: string, status: SubscriberStatus) {
  return [{ scope: ticket, applied: status.lastApplied, heldUntil: status.heldUntil, confirmedAt: status.currentAsOf }];
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function scopeReasons(
  scope: ReturnType<typeof scopesOf>[number],
  { status, pendingPlan, settings, now }: ReadinessInputs,
): Reason[] {
  const reasons: Reason[] = [];
  const at = (code: ErrorCode, message: string) => reasons.push({ code, message, scope: scope.scope });
  if (settings.requireApplied && !scope.applied && !scope.heldUntil)
    at('CIBSYNC_READY_NOT_APPLIED', `no publication of ticket ${scope.scope} has been applied here yet`);
  if (settings.requireApplied && status.hold)
    at('CIBSYNC_READY_ON_HOLD', `replication is ${describeHold(status.hold)}`);
  if (settings.maxAgeMs > 0) {
    const confirmed = scope.confirmedAt === undefined ? undefined : Date.parse(scope.confirmedAt);
    if (confirmed === undefined)
      at(
        'CIBSYNC_READY_STALE',
        `no publisher has confirmed that this site holds its current publication, and this site has not held ticket ${scope.scope} since the subscriber started`,
      );
    else if (now - confirmed > settings.maxAgeMs)
      at(
        'CIBSYNC_READY_STALE',
        `a publisher last confirmed this site's publication ${seconds(now - confirmed)} ago (at ${scope.confirmedAt}); the limit is ${seconds(settings.maxAgeMs)} (subscriber.readiness.maxAgeMs)`,
      );
  }
  const failed = status.lastImportError;
  if (settings.refuseAfterFailedImport && failed)
    at('CIBSYNC_READY_IMPORT_FAILED', `the import at ${failed.at} failed: ${failed.code}: ${failed.message}`);
  if (settings.refusePendingPlan && pendingPlan)
    at(
      'CIBSYNC_READY_PLAN_PENDING',
      `plan ${pendingPlan.id} (site ${pendingPlan.source.site}, epoch ${pendingPlan.source.adminEpoch}.${pendingPlan.source.epoch}) waits for approval since ${pendingPlan.createdAt}`,
    );
  return reasons;
}

export function evaluateReadiness(inputs: ReadinessInputs): ReadinessVerdict {
  const { ticket, followed, held, status, now } = inputs;
  const at = new Date(now).toISOString();
  const scopes = scopesOf(ticket, status);
  const shown = scopes.map(({ scope, applied, confirmedAt }) => ({
    scope,
    digest: applied?.digest,
    sourceSite: applied?.sourceSite,
    appliedAt: applied?.at,
    confirmedAt,
  }));
  if (ticket !== followed) {
    const message = `this subscriber replicates ticket ${followed}, not ${ticket}: it cannot vouch for it`;
    return { ticket, ready: false, at, reasons: [{ code: 'CIBSYNC_READY_OTHER_TICKET', message }], scopes: [] };
  }
  // Booth runs the handler before every renewal too: the active site's own CIB is the source.
  if (held === true)
    return { ticket, ready: true, at, reasons: [], scopes: shown, note: `this site holds ticket ${ticket}` };
  const reasons = scopes.flatMap((scope) => scopeReasons(scope, inputs));
  return { ticket, ready: reasons.length === 0, at, reasons, scopes: shown };
}
