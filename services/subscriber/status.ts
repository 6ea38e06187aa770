// What the subscriber knows about itself, for GET /v1/status, /healthz, the metrics and `cibsync status`.
import { randomUUID } from 'node:crypto';
import type { PlanRecord } from '../approval/index.js';
import { asCibsyncError } from '../errors.js';
import type { ImportResult } from '../pipeline/index.js';
import type { Hold } from '../state/hold.js';
import { type SiteReport, WHOLE_CONFIGURATION_SCOPE } from '../wire/index.js';

export type SubscriberState = 'starting' | 'following' | 'idle' | 'failing' | 'stopping' | 'held';

export interface AppliedRecord {
  sourceSite: string;
  sourceAdminEpoch: number;
  sourceEpoch: number;
  digest: string;
  outcome: ImportResult['outcome'];
  changes: number;
  /** When the publication was built at the source, and when this site committed it. */
  created: string;
  at: string;
  /** The last time the pipeline confirmed this site still matches it. */
  checkedAt: string;
  publisher: string;
  /** Manual approval: the plan whose approval committed it. */
  plan?: string;
}

/** Manual approval: the plan that waits for a person's decision, as status shows it. */
export interface PendingPlanSummary {
  id: string;
  createdAt: string;
  source: PlanRecord['source'];
  changes: number;
  attributes: number;
  transition: number;
}

export function pendingPlanSummary(record: PlanRecord): PendingPlanSummary {
  return {
    id: record.id,
    createdAt: record.createdAt,
    source: record.source,
    changes: record.changes.length,
    attributes: record.attributes.changes.length,
    transition: record.transition.length,
  };
}

export interface ErrorRecord {
  code: string;
  message: string;
  at: string;
  details: Record<string, unknown>;
}

/** An error as status keeps it: code, message, when, and its details without the stack. */
function errorRecord(err: unknown): ErrorRecord {
  const error = asCibsyncError(err);
  const { stack: _stack, ...details } = error.details;
  return { code: error.code, message: error.message, at: new Date().toISOString(), details };
}

/** One readiness check as `cibsync status` and the page show it (services/subscriber/readiness.ts). */
export interface ReadinessRecord {
  ticket: string;
  ready: boolean;
  at: string;
  reasons: { code: string; message: string; scope?: string }[];
}

export class SubscriberStatus {
  /** This daemon among the reports the publishers keep (services/wire/report.ts): drawn at start. */
  readonly instance = randomUUID();
  state: SubscriberState = 'starting';
  idleReason: string | undefined;
  publisher: string | undefined;
  lastApplied: AppliedRecord | undefined;
  lastContactAt: string | undefined;
  lastError: ErrorRecord | undefined;
  consecutiveFailures = 0;
  nextRetryAt: string | undefined;
  /** An operator's hold (`cibsync hold`, a rollback): nothing is fetched or applied until `cibsync resume`. */
  hold: Hold | undefined;
  /**
   * The last time a publisher that serves confirmed that this site holds its current publication: it
   * served one that was then applied (or found unchanged), or answered "not modified" to the digest
   * last applied. What readiness's maxAgeMs measures.
   */
  confirmedAt: string | undefined;
  /**
   * The last time this site was seen holding the ticket: until then its own configuration was the
   * source, so it was current then without any publication applied (a site that gave the ticket up
   * takes it back). Set when the ticket gate's answer turns from held to not held.
   */
  heldUntil: string | undefined;
  private siteHeld = false;
  /** The last import that failed (the fetch went well); cleared by the next import that does not fail. */
  lastImportError: ErrorRecord | undefined;
  /** Booth's before-acquire handler asks (`cibsync takeover ready`): the last verdict, and the last refusal. */
  lastReadiness: ReadinessRecord | undefined;
  lastRefusal: ReadinessRecord | undefined;

  constructor(
    readonly site: string | undefined,
    readonly approval: 'auto' | 'manual' = 'auto',
    /** The ticket whose scope this status follows (ticket-scoped replication); undefined: the whole configuration. */
    readonly scope?: string,
  ) {}

  /** The statuses of the other scopes this subscriber follows, shown with this one (ticket-scoped replication). */
  readonly siblings: SubscriberStatus[] = [];

  /** Seconds from the build of the last applied publication at its source to its commit here (none when it changed nothing here). */
  get lagSeconds(): number | undefined {
    if (this.lastApplied?.outcome !== 'applied') return undefined;
    return Math.max(0, (Date.parse(this.lastApplied.at) - Date.parse(this.lastApplied.created)) / 1000);
  }

  /** A publisher answered. The failure count stays until the whole round succeeds: an answer whose import fails is no recovery. */
  contacted(publisher: string): void {
    this.state = 'following';
    this.idleReason = undefined;
    this.publisher = publisher;
    this.lastContactAt = new Date().toISOString();
  }

  /** A round ended well (a publication imported, or "not modified"): failing is over at once, and so is the backoff. */
  recovered(): void {
    if (this.state === 'failing' || this.state === 'starting') this.state = 'following';
    this.consecutiveFailures = 0;
    this.nextRetryAt = undefined;
  }

  /** Holding the ticket is not a failure: the backoff starts afresh once this site gives it up. */
  idle(reason: string): void {
    this.state = 'idle';
    this.idleReason = reason;
    this.consecutiveFailures = 0;
    this.nextRetryAt = undefined;
  }

  /** Records the hold as the follow loop last read it; returns whether it changed. */
  setHold(hold: Hold | undefined): boolean {
    const changed = hold?.at !== this.hold?.at;
    this.hold = hold;
    if (hold) {
      // Holding the ticket (idle) says more: this site is the active one. The hold still shows.
      if (this.state !== 'idle' && this.state !== 'stopping') this.state = 'held';
      this.consecutiveFailures = 0;
      this.nextRetryAt = undefined;
    } else if (this.state === 'held') {
      this.state = 'following';
    }
    return changed;
  }

  applied(result: Pick<ImportResult, 'source' | 'outcome' | 'changes' | 'attributes'>, publisher: string): void {
    this.contacted(publisher);
    this.commit(result.source, result.outcome, result.changes.length + result.attributes.length, publisher);
    this.confirmedAt = this.lastApplied?.checkedAt;
  }

  /** The ticket gate answered (not an unknown answer): on leaving the ticket, this site was the source until now. */
  ticketAnswer(held: boolean): void {
    if (this.siteHeld && !held) this.heldUntil = new Date().toISOString();
    this.siteHeld = held;
  }

  /**
   * The last moment this site is known to have been current: a publisher's confirmation, or the end of
   * its own holding of the ticket (then it was the source). What readiness and the takeover plan measure
   * a replica's age from.
   */
  get currentAsOf(): string | undefined {
    return [this.confirmedAt, this.heldUntil]
      .filter((t) => t !== undefined)
      .sort()
      .at(-1);
  }

  /** A publisher answered "not modified" to `digest`: when that is the one applied here, this site is current. */
  notModified(digest: string | undefined): void {
    if (digest !== undefined && digest === this.lastApplied?.digest) this.confirmedAt = new Date().toISOString();
  }

  /** The intake took a publication (applied, unchanged, or a plan made): no import failure stands. */
  importDone(): void {
    this.lastImportError = undefined;
  }

  importFailed(err: unknown): void {
    this.lastImportError = errorRecord(err);
  }

  /** Keeps a readiness verdict; a refusal also stays as the last refusal until the next one. */
  readinessChecked(record: ReadinessRecord): void {
    this.lastReadiness = record;
    if (!record.ready) this.lastRefusal = record;
  }

  /** An approved plan was applied: its publication is this site's last applied one. */
  planApplied(record: PlanRecord): void {
    this.commit(
      record.source,
      record.outcome?.outcome ?? 'applied',
      record.changes.length + record.attributes.changes.length,
      this.publisher ?? '',
      record.id,
    );
  }

  private commit(
    source: ImportResult['source'],
    outcome: ImportResult['outcome'],
    changes: number,
    publisher: string,
    plan?: string,
  ): void {
    const now = new Date().toISOString();
    // Running the same publication again (replicate-now, a restart) confirms it; it is not a new commit.
    if (this.lastApplied?.digest === source.digest && plan === undefined) {
      this.lastApplied.checkedAt = now;
      return;
    }
    this.lastApplied = {
      sourceSite: source.site,
      sourceAdminEpoch: source.adminEpoch,
      sourceEpoch: source.epoch,
      digest: source.digest,
      outcome,
      changes,
      created: source.created,
      at: now,
      checkedAt: now,
      publisher,
      ...(plan === undefined ? {} : { plan }),
    };
  }

  failed(err: unknown, retryInMs?: number): ErrorRecord {
    this.lastError = errorRecord(err);
    this.consecutiveFailures += 1;
    if (this.state !== 'idle' && this.state !== 'stopping') this.state = 'failing';
    this.nextRetryAt = retryInMs === undefined ? undefined : new Date(Date.now() + retryInMs).toISOString();
    return this.lastError;
  }

  /**
   * What this site tells the publishers it asks (services/wire/report.ts): what it applied, the failure
   * that stands now (a refused import until one goes through, else the last round's while failing),
   * the plan waiting for approval.
   */
  report(pendingPlan?: PendingPlanSummary): SiteReport {
    const a = this.lastApplied;
    const standing = this.lastImportError ?? (this.consecutiveFailures > 0 ? this.lastError : undefined);
    return {
      ...(this.site === undefined ? {} : { site: this.site }),
      scope: this.scope ?? WHOLE_CONFIGURATION_SCOPE,
      ...(a ? { applied: { digest: a.digest, created: a.created, at: a.at } } : {}),
      ...(standing ? { error: { code: standing.code, message: standing.message, at: standing.at } } : {}),
      pendingPlans: pendingPlan ? [pendingPlan.id] : [],
      ...(this.hold ? { held: true } : {}),
      instance: this.instance,
    };
  }

  /** `pendingPlan`: in manual mode, the plan that waits for approval (the plan store knows, not this object). */
  snapshot(pendingPlan?: PendingPlanSummary) {
    const own = this.ownSnapshot(pendingPlan);
    return this.siblings.length > 0 ? { ...own, otherScopes: this.siblings.map((s) => s.ownSnapshot()) } : own;
  }

  private ownSnapshot(pendingPlan?: PendingPlanSummary) {
    return {
      role: 'subscriber' as const,
      site: this.site,
      ...(this.scope === undefined ? {} : { scope: this.scope }),
      state: this.state,
      idleReason: this.idleReason,
      approval: this.approval,
      pendingPlan,
      publisher: this.publisher,
      lastApplied: this.lastApplied,
      lagSeconds: this.lagSeconds,
      lastContactAt: this.lastContactAt,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
      nextRetryAt: this.nextRetryAt,
      hold: this.hold,
      confirmedAt: this.confirmedAt,
      heldUntil: this.heldUntil,
      lastImportError: this.lastImportError,
      readiness: { last: this.lastReadiness, lastRefusal: this.lastRefusal },
    };
  }
}

export type StatusSnapshot = ReturnType<SubscriberStatus['snapshot']>;
