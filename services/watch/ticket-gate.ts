// Does this site hold the ticket? The publisher serves only while it does; the subscriber applies only
// while it does not. The answer comes from crm_ticket through the tool layer, is trusted for cacheMs,
// and is dropped on every CIB change (a revoke is a CIB change), so a site that loses the ticket stops
// serving well within a second. A failed query is "unknown": not held for the publisher (which then
// serves nothing), and not "free to apply" for the subscriber (which then applies nothing): both fail
// closed.
import { EventEmitter } from 'node:events';
import { asCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker, TicketState } from '../pacemaker/index.js';

export interface TicketVerdict {
  held: boolean;
  /** The query failed: whether this site holds the ticket is not known. */
  unknown?: boolean;
  /** Why not: "not granted", "standby", or the code of the failed query. */
  reason?: string;
  checkedAt: number;
}

export class TicketGate extends EventEmitter<{ change: [TicketVerdict] }> {
  private verdict: TicketVerdict | undefined;
  private pending: Promise<TicketVerdict> | undefined;
  /** Survives invalidate(), so 'change' fires only when the answer flips. */
  private lastAnswer: 'held' | 'not held' | 'unknown' | undefined;
  /** Bumped by invalidate(): the answer of a query started before it is not kept. */
  private generation = 0;

  constructor(
    private readonly pacemaker: Pacemaker,
    readonly ticket: string,
    private readonly cacheMs: number,
    private readonly logger: Logger,
  ) {
    super();
  }

  get last(): TicketVerdict | undefined {
    return this.verdict;
  }

  /** Forgets the answer, and any query already under way: it may have read the CIB before the change. */
  invalidate(): void {
    this.verdict = undefined;
    this.pending = undefined;
    this.generation += 1;
  }

  check(): Promise<TicketVerdict> {
    if (this.verdict && Date.now() - this.verdict.checkedAt < this.cacheMs) return Promise.resolve(this.verdict);
    if (!this.pending) {
      const query = this.query().finally(() => {
        if (this.pending === query) this.pending = undefined;
      });
      this.pending = query;
    }
    return this.pending;
  }

  /**
   * A state the ticket watcher saw (Pacemaker's notification, or its poll): taken as the answer now,
   * and any query already under way is dropped (it may have read the CIB before the change).
   */
  observe(state: Pick<TicketState, 'granted' | 'standby'>): TicketVerdict {
    this.invalidate();
    return this.settle(verdictOf(state));
  }

  private async query(): Promise<TicketVerdict> {
    const generation = this.generation;
    let next: TicketVerdict;
    try {
      next = verdictOf(await this.pacemaker.ticket(this.ticket));
    } catch (err) {
      const error = asCibsyncError(err);
      next = { held: false, unknown: true, reason: error.code, checkedAt: Date.now() };
      this.logger.warn(
        { event: 'ticket-check-failed', ticket: this.ticket, code: error.code, err: error.message },
        'ticket query failed; not serving and not applying until it answers',
      );
    }
    if (generation !== this.generation) return next;
    return this.settle(next);
  }

  /** Keeps `next` as the answer; logs and emits 'change' when it flips. */
  private settle(next: TicketVerdict): TicketVerdict {
    this.verdict = next;
    const answer = next.held ? 'held' : next.unknown ? 'unknown' : 'not held';
    if (this.lastAnswer !== answer) {
      this.lastAnswer = answer;
      this.logger.info(
        { event: `ticket-${answer.replace(' ', '-')}`, ticket: this.ticket, reason: next.reason },
        `ticket ${this.ticket} ${answer}${next.reason ? ` (${next.reason})` : ''}`,
      );
      this.emit('change', next);
    }
    return next;
  }
}

function verdictOf(state: Pick<TicketState, 'granted' | 'standby'>): TicketVerdict {
  const held = state.granted && !state.standby;
  return held
    ? { held, checkedAt: Date.now() }
    : { held, reason: state.granted ? 'standby' : 'not granted', checkedAt: Date.now() };
}
