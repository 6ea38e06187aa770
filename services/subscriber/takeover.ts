// The takeover desk: the takeover plan of each ticket asked about (the configured one from the start),
// computed ahead of time (at start, after every publication applied here, after a grant) so that it is
// on screen at once when the moment comes; served with the replica's freshness from the status. A
// grant runs in the applier's queue: never while a publication is being applied.
import { type CibVersion, compareVersions } from '../cib/index.js';
import { asCibsyncError, isCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import { checkedTicketName, type Pacemaker } from '../pacemaker/index.js';
import { grantTakeover } from '../takeover/grant.js';
import { computeTakeoverPlan, type Freshness, type TakeoverPlan, type TakeoverView } from '../takeover/plan.js';
import { type TakeoverDecision, TakeoverDecisions } from '../takeover/record.js';
import type { Applier } from './applier.js';
import type { PendingPlanSummary, SubscriberStatus } from './status.js';

export interface TakeoverDeskDeps {
  pacemaker: Pacemaker;
  applier: Applier;
  status: SubscriberStatus;
  pendingPlan: () => Promise<PendingPlanSummary | undefined>;
  stateDir: string;
  boothConfigDir: string;
  /** The configured ticket: its plan is computed at start. */
  ticket: string;
  logger: Logger;
}

export class TakeoverDesk {
  private readonly plans = new Map<string, Promise<TakeoverPlan>>();
  private readonly decisions: TakeoverDecisions;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly again = new Set<string>();
  /** The CIB version the watcher last reported. */
  private cibVersion: CibVersion | undefined;

  constructor(private readonly deps: TakeoverDeskDeps) {
    this.decisions = new TakeoverDecisions(deps.stateDir);
  }

  /** Computes the plan of every ticket asked about so far (the configured one at least) again. */
  refresh(): void {
    for (const ticket of new Set([this.deps.ticket, ...this.plans.keys()])) void this.computeOnce(ticket);
  }

  /** One computation at a time per ticket: asked again while one runs, it runs once more after it (publications in a burst). */
  private computeOnce(ticket: string): Promise<unknown> {
    const running = this.running.get(ticket);
    if (running) {
      this.again.add(ticket);
      return running;
    }
    const run = this.compute(ticket)
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(ticket);
        if (this.again.delete(ticket)) void this.computeOnce(ticket);
      });
    this.running.set(ticket, run);
    return run;
  }

  /**
   * The ticket gate's answer for the configured ticket changed (granted or revoked here): the plan is
   * about the ticket, so it is computed again unless the plan (once the one under way is done) already
   * says the same: the gate's first answer at start needs no second computation.
   */
  ticketSeen(held: boolean): void {
    const ticket = this.deps.ticket;
    void this.current(ticket).then((plan) => {
      if (!plan || (plan.ticketState.granted && !plan.ticketState.standby) !== held) void this.computeOnce(ticket);
    });
  }

  /** The watcher saw the CIB move: a plan computed on an older admin_epoch.epoch shows as out of date. */
  cibMoved(version: CibVersion): void {
    this.cibVersion = version;
  }

  private compute(ticket: string): Promise<TakeoverPlan> {
    const started = Date.now();
    const previous = this.plans.get(ticket);
    const next = computeTakeoverPlan(this.deps.pacemaker, ticket);
    this.plans.set(ticket, next);
    next.then(
      (plan) =>
        this.deps.logger.info(
          {
            event: 'takeover-plan',
            ticket,
            digest: plan.digest,
            actions: plan.actions.length,
            ms: Date.now() - started,
          },
          `takeover plan for ${ticket}: ${plan.actions.length} action(s)`,
        ),
      (err) => {
        const error = asCibsyncError(err);
        this.deps.logger.warn(
          { event: 'takeover-plan-failed', ticket, code: error.code, err: error.message },
          'takeover plan could not be computed; the previous one (if any) is kept',
        );
        // Keep serving the last good plan (it shows as out of date); the next refresh tries again.
        if (this.plans.get(ticket) === next) {
          if (previous) this.plans.set(ticket, previous);
          else this.plans.delete(ticket);
        }
      },
    );
    return next;
  }

  private async current(ticket: string): Promise<TakeoverPlan | undefined> {
    return this.plans.get(ticket)?.catch(() => undefined);
  }

  async view(ticket: string): Promise<TakeoverView> {
    checkedTicketName(ticket);
    const plan = await (this.plans.get(ticket) ?? this.compute(ticket));
    const now = this.cibVersion;
    const upToDate = !now || compareVersions(now, plan.cibVersion) === 0;
    return {
      ...plan,
      upToDate,
      ...(now ? { cibVersionNow: now } : {}),
      freshness: await this.freshness(),
      decisions: await this.decisions.forTicket(ticket),
    };
  }

  grant(ticket: string, by: string, options: { seenDigest?: string; confirm: boolean }): Promise<TakeoverDecision> {
    checkedTicketName(ticket);
    return this.deps.applier
      .exclusive(async () =>
        grantTakeover(this.deps.pacemaker, this.decisions, {
          ticket,
          by,
          plan: await this.current(ticket),
          ...options,
          boothConfigDir: this.deps.boothConfigDir,
        }),
      )
      .then(
        (decision) => {
          void this.computeOnce(ticket);
          return decision;
        },
        (err) => {
          // A refusal keeps the plan as it is: it stays out of date until a person confirms (or a
          // publication is applied); after a failed grant the CIB may have moved, so compute it again.
          if (!isCibsyncError(err, 'CIBSYNC_TAKEOVER_PLAN_STALE')) void this.computeOnce(ticket);
          throw err;
        },
      );
  }

  private async freshness(): Promise<Freshness> {
    const s = this.deps.status.snapshot(await this.deps.pendingPlan());
    const a = s.lastApplied;
    const e = s.lastError;
    const currentAsOf = this.deps.status.currentAsOf;
    return {
      state: s.state,
      ...(a
        ? {
            source: a.sourceSite,
            digest: a.digest,
            builtAt: a.created,
            appliedAt: a.at,
          }
        : {}),
      ...(currentAsOf ? { ageSeconds: Math.max(0, Math.round((Date.now() - Date.parse(currentAsOf)) / 1000)) } : {}),
      ...(s.lastContactAt ? { lastContactAt: s.lastContactAt } : {}),
      ...(e ? { lastError: { code: e.code, message: e.message, at: e.at } } : {}),
      ...(s.pendingPlan ? { pendingPlan: s.pendingPlan.id } : {}),
      ...(s.hold
        ? { hold: { by: s.hold.by, at: s.hold.at, ...(s.hold.reason ? { reason: s.hold.reason } : {}) } }
        : {}),
    };
  }
}
