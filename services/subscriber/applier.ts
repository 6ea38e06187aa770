// Runs fetched publications through the one intake (services/approval/intake.ts: imported now, or a
// plan in manual approval mode), one at a time (the follow loop and replicate-now may both want to),
// and records each outcome in the status and the metrics. The decisions on plans (approve, reject,
// edit) queue here too: a plan must not be superseded while it is being applied.
import { approvePlan, editPlan, type PlanRecord, PlanStore, rejectPlan } from '../approval/index.js';
import { type IntakeResult, takePublication } from '../approval/intake.js';
import type { Config } from '../config/index.js';
import { asCibsyncError, CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import type { PipelineContext } from '../pipeline/index.js';
import type { SubscriberMetrics } from './metrics.js';
import type { SubscriberStatus } from './status.js';

export class Applier {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly ctx: PipelineContext;

  constructor(
    private readonly config: Config,
    pacemaker: Pacemaker,
    private readonly logger: Logger,
    private readonly status: SubscriberStatus,
    private readonly metrics: SubscriberMetrics,
    /** Called after a publication (or an approved plan) changed this site's CIB: the takeover plan is computed again. */
    private readonly onApplied: () => void = () => undefined,
  ) {
    this.ctx = { config, pacemaker, logger };
  }

  /** `status`: the status of the scope the publication was fetched for (ticket-scoped replication), else the subscriber's. */
  apply(text: string, publisher: string, trigger: string, status = this.status): Promise<IntakeResult> {
    return this.queued(() => this.run(text, publisher, trigger, status));
  }

  /**
   * "Make it so" for a plan; the status then shows its publication as the last applied. `revision` is
   * the number of decisions the approver saw (the page sends it): an edit made since is refused, so
   * what is applied is what was read.
   */
  approve(id: string, by: string, revision?: number): Promise<PlanRecord> {
    return this.queued(async () => {
      if (revision !== undefined) {
        const current = await new PlanStore(this.config.stateDir).get(id);
        const seen = current.decisions.length;
        // A plan no longer pending is refused as such by approvePlan: that is the more useful answer.
        if (current.status === 'pending' && seen !== revision)
          throw new CibsyncError(
            'CIBSYNC_PLAN_CHANGED',
            `plan ${id} changed since it was shown (it has ${seen} decisions, the approver saw ${revision}); nothing was written`,
            { plan: id },
          );
      }
      const record = await approvePlan(id, this.ctx, by);
      this.status.planApplied(record);
      this.metrics.imports({ outcome: 'applied' });
      this.onApplied();
      return record;
    });
  }

  reject(id: string, by: string, reason?: string): Promise<PlanRecord> {
    return this.queued(() => rejectPlan(id, this.ctx, by, reason));
  }

  edit(id: string, editedText: string, by: string): Promise<PlanRecord> {
    return this.queued(() => editPlan(id, editedText, this.ctx, by));
  }

  /** Runs `work` in the queue: never while a publication or a decision is being applied (a takeover grant). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queued(work);
  }

  /** Resolves once no apply is running or queued (SIGTERM waits for this). */
  idle(): Promise<unknown> {
    return this.tail;
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(text: string, publisher: string, trigger: string, status: SubscriberStatus): Promise<IntakeResult> {
    const started = Date.now();
    try {
      const result = await takePublication(text, this.ctx, { by: 'subscriber' });
      status.importDone();
      this.recordStatus(status, result, publisher);
      this.metrics.imports({ outcome: result.outcome });
      if (result.outcome === 'applied') this.onApplied();
      this.logger.info(
        {
          event: 'import-done',
          outcome: result.outcome,
          digest: result.source.digest,
          source: result.source.site,
          scope: result.source.scopes?.join('+'),
          epoch: `${result.source.adminEpoch}.${result.source.epoch}`,
          plan: 'record' in result ? result.record?.id : undefined,
          publisher,
          trigger,
          ms: Date.now() - started,
        },
        `publication from ${result.source.site}${result.source.scopes ? ` (scope ${result.source.scopes.join(' + ')})` : ''} ${result.outcome}`,
      );
      return result;
    } catch (err) {
      const error = asCibsyncError(err);
      status.importFailed(error);
      this.metrics.imports({ outcome: 'refused' });
      // Say what happened to the CIB: most failures come before the write, a few after it.
      const written = error.details.written === true;
      this.logger.warn(
        {
          event: 'import-failed',
          code: error.code,
          err: error.message,
          written,
          after: error.details.after,
          publisher,
          trigger,
          scope: status.scope,
        },
        written
          ? 'import failed after the local CIB was written (see err); the next round plans again from what is there'
          : 'import failed; the local CIB was not changed',
      );
      throw error;
    }
  }

  private recordStatus(status: SubscriberStatus, result: IntakeResult, publisher: string): void {
    if (!('approval' in result)) status.applied(result, publisher);
    // A publication that changes nothing here needs no decision: this site is in step with it.
    else if (result.outcome === 'unchanged')
      status.applied({ source: result.source, outcome: 'unchanged', changes: [], attributes: [] }, publisher);
  }
}
