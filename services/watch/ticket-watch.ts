// Tells the ticket gate of a grant or a revoke as soon as Pacemaker makes it, on a live cluster.
// Status changes such as a ticket's never reach the CIB's disk copy that the CIB watcher follows, so:
// - notify: cibsync-ticket-watch, a small program signed on to the CIB manager, prints the tickets
//   after every change that alters them (no query runs while nothing changes);
// - poll: when that program is not built, or has ended (the CIB manager restarted, a failure), the
//   ticket's own `<ticket_state>` is queried every pollMs, and the program is started again with
//   backoff; its first line ends the polling;
// - file: a CIB file has no notifications; the CIB watcher's fs.watch sees every write to it.
// Each switch is logged: ticket-watch-notify, ticket-watch-poll, ticket-watch-file; a program that
// ended: ticket-watch-failed.
import type { Logger } from '../log.js';
import type { Pacemaker, TicketWatchProcess, WatchedTicket } from '../pacemaker/index.js';
import type { TicketGate } from './ticket-gate.js';

export type TicketWatchMode = 'notify' | 'poll' | 'file';

/** First restart of the program after it ended, doubling up to the most. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 60_000;

/** One watch feeds the gates of every ticket a daemon follows (ticket-scoped replication follows several). */
export class TicketWatch {
  mode: TicketWatchMode | undefined;
  private child: TicketWatchProcess | undefined;
  private startedAt = 0;
  private failures = 0;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private restart: NodeJS.Timeout | undefined;
  private stopped = false;

  private readonly gates: TicketGate[];

  constructor(
    private readonly pacemaker: Pacemaker,
    gates: TicketGate | TicketGate[],
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {
    this.gates = Array.isArray(gates) ? gates : [gates];
  }

  start(): void {
    if (this.pacemaker.cibFile) this.switchTo('file', 'a CIB file: its writes are watched on disk');
    else this.launch();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poller);
    clearTimeout(this.restart);
    this.child?.stop();
  }

  private launch(): void {
    if (this.stopped) return;
    const child = this.pacemaker.watchTickets((tickets) => this.onTickets(tickets));
    if (!child) {
      this.startPolling('cibsync-ticket-watch is not built (scripts/build-native.sh)');
      return;
    }
    this.child = child;
    this.startedAt = performance.now();
    void child.ended.then((why) => this.onEnded(why));
  }

  private onTickets(tickets: WatchedTicket[]): void {
    if (this.mode !== 'notify') {
      this.stopPolling();
      this.switchTo('notify', "Pacemaker's CIB change notifications");
    }
    for (const gate of this.gates)
      gate.observe(tickets.find((t) => t.id === gate.ticket) ?? { granted: false, standby: false });
  }

  private onEnded(why: string): void {
    this.child = undefined;
    if (this.stopped) return;
    // A program that ran a long while before it ended starts its backoff afresh.
    this.failures = performance.now() - this.startedAt > RESTART_MAX_MS ? 1 : this.failures + 1;
    const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (this.failures - 1));
    this.logger.warn(
      { event: 'ticket-watch-failed', reason: why, failures: this.failures, restartInMs: delay },
      `cibsync-ticket-watch ${why}; polling the ticket, restarting it in ${delay} ms`,
    );
    this.startPolling('the notification program ended');
    this.restart = setTimeout(() => this.launch(), delay);
    this.restart.unref();
  }

  private startPolling(why: string): void {
    if (this.poller) return;
    this.switchTo('poll', `${why}; the ticket is queried every ${this.pollMs} ms`);
    void this.pollOnce();
    this.poller = setInterval(() => void this.pollOnce(), this.pollMs);
    this.poller.unref();
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  /** One query of each ticket's state; none while one is under way, and an answer after polling ended is dropped. */
  private async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(this.gates.map((gate) => this.pollGate(gate)));
    } finally {
      this.polling = false;
    }
  }

  private async pollGate(gate: TicketGate): Promise<void> {
    try {
      const state = await this.pacemaker.ticketState(gate.ticket);
      if (this.mode === 'poll' && !this.stopped) gate.observe(state);
    } catch {
      // The gate asks crm_ticket itself, and says "unknown" (fail closed) if that fails too.
      gate.invalidate();
      void gate.check();
    }
  }

  private switchTo(mode: TicketWatchMode, why: string): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.logger.info(
      { event: `ticket-watch-${mode}`, ticket: this.gates.map((g) => g.ticket).join(' '), why },
      `ticket watch: ${mode} (${why})`,
    );
  }
}
