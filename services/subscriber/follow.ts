// The follow loop: ask the publishers in turn (the last one that answered first) for the publication,
// holding a change-feed request open while this subscriber is up to date; import what comes back;
// on failure retry with backoff and jitter, never more often than the backoff allows and never less
// often than retryMaxMs (1 s by default: a publisher that starts serving after a ticket move is found
// within about a second; one request per publisher per round, so no storm). Rounds start at least minRoundIntervalMs apart, whatever a publisher
// answers (one that answers a held request at once would otherwise be asked thousands of times a
// second). The first round after a failure is not held, so a recovery shows at once. While this site
// holds the ticket, or an operator has put replication on hold (`cibsync hold`, a rollback), it
// asks nothing and applies nothing.
import type { IntakeResult } from '../approval/intake.js';
import type { SubscriberConfig } from '../config/index.js';
import { asCibsyncError, CibsyncError, EXIT, isCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MtlsClient } from '../net/client.js';
import { checkNotOnHold, type Hold, readHold } from '../state/hold.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import type { SiteReport } from '../wire/index.js';
import type { Applier } from './applier.js';
import { backoffDelay } from './backoff.js';
import { type FetchOptions, type FetchOutcome, fetchPublication } from './fetcher.js';
import type { SubscriberMetrics } from './metrics.js';
import type { SubscriberStatus } from './status.js';

/** Exit categories meaning "this publication is refused" (input, candidate), not "try again": wait for the next one. */
const REFUSED_PUBLICATION_EXITS = new Set<number>([EXIT.inputRefused, EXIT.candidateRefused]);

/** Refusals that say who served the publication is not a publisher this site trusts: ask the others first. */
const ORIGIN_REFUSALS = new Set<string>([
  'CIBSYNC_PUBLICATION_UNSIGNED',
  'CIBSYNC_SIGNATURE_INVALID',
  'CIBSYNC_SIGNER_CERT_INVALID',
  'CIBSYNC_PUBLISHER_UNTRUSTED',
]);

export interface FollowDeps {
  settings: SubscriberConfig;
  maxBytes: number;
  client: MtlsClient;
  gate: TicketGate;
  applier: Applier;
  status: SubscriberStatus;
  metrics: SubscriberMetrics;
  logger: Logger;
  /** Where an operator's hold (`cibsync hold`, a rollback) is kept. */
  stateDir: string;
  /** The publication's path on each publisher: a ticket's scope (ticket-scoped replication); default /v1/publication. */
  path?: string;
  /** What this site tells each publisher it asks (GET /v1/sites there), made afresh for every request. */
  report: () => Promise<SiteReport>;
}

export class FollowLoop {
  private stopped = false;
  private running: Promise<void> | undefined;
  private inFlight: AbortController | undefined;
  private nap: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /** The digest the publishers are asked to wait on: the last applied, or the last refused one. */
  private knownDigest: string | undefined;
  private preferred = 0;
  private lastRoundAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: FollowDeps) {}

  start(): void {
    this.running = this.loop();
  }

  /** Ends the current wait or nap so the loop looks again now (ticket change, replicate-now). */
  kick(): void {
    this.inFlight?.abort();
    if (this.nap) {
      clearTimeout(this.nap.timer);
      this.nap.resolve();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.running;
  }

  /** The publishers in the order to ask them: the one that answered last, then the rest. */
  private order(): string[] {
    const urls = this.deps.settings.publishers;
    return urls.map((_, i) => urls[(this.preferred + i) % urls.length] as string);
  }

  private async loop(): Promise<void> {
    const { settings, status, metrics, logger, gate } = this.deps;
    while (!this.stopped) {
      const local = await gate.check();
      if (local.held || local.unknown) {
        // Fail closed: a site that cannot tell whether it holds the ticket applies nothing.
        const why = local.held
          ? `this site holds ticket ${gate.ticket}`
          : `cannot tell whether this site holds ticket ${gate.ticket} (${local.reason})`;
        if (status.state !== 'idle')
          logger.info({ event: 'idle', ticket: gate.ticket }, `${why}: not applying anything`);
        status.idle(why);
        await this.sleep(settings.pollIntervalMs);
        continue;
      }
      await this.sleep(this.lastRoundAt + settings.minRoundIntervalMs - performance.now());
      if (this.stopped) break;
      this.lastRoundAt = performance.now();
      const failing = status.consecutiveFailures > 0;
      if (failing) metrics.retries();
      try {
        // On hold nothing is fetched; after `cibsync resume` the source is asked afresh (no known digest).
        if ((await this.refreshHold()) !== undefined) {
          await this.sleep(settings.pollIntervalMs);
          continue;
        }
        const longPoll = settings.feed === 'long-poll';
        if ((await this.round(longPoll && !failing)) === 'aborted') continue;
        status.recovered();
        if (!longPoll) await this.sleep(settings.pollIntervalMs);
      } catch (err) {
        if (this.stopped) break;
        const delay = backoffDelay(
          status.consecutiveFailures + 1,
          settings.backoffMinMs,
          Math.min(settings.retryMaxMs, settings.pollIntervalMs),
        );
        const record = status.failed(err, delay);
        metrics.errors({ code: record.code });
        logger.warn(
          {
            event: 'round-failed',
            code: record.code,
            err: record.message,
            retryInMs: delay,
            failures: status.consecutiveFailures,
          },
          `no publication this round (${record.code}); retrying in ${delay} ms`,
        );
        await this.sleep(delay);
      }
    }
  }

  /**
   * Reads the operator's hold from the state directory (the daemon also does so every changePollMs).
   * A change is logged and wakes the loop: a new hold ends the wait on the feed, a resume the nap.
   */
  async refreshHold(): Promise<Hold | undefined> {
    const hold = await readHold(this.deps.stateDir);
    if (this.deps.status.setHold(hold)) {
      this.deps.logger.info(
        { event: hold ? 'hold' : 'resume', hold },
        hold ? 'replication on hold: fetching and applying nothing' : 'hold lifted: following the source again',
      );
      if (hold) this.knownDigest = undefined;
      this.kick();
    }
    return hold;
  }

  /** One pass of the loop: 'aborted' when kick() ended it before a publisher answered. */
  private async round(hold: boolean): Promise<'done' | 'aborted'> {
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const served = await this.firstServing({ known: this.knownDigest, hold }, controller.signal);
      if (served === 'aborted') return 'aborted';
      if (served.outcome.kind === 'not-modified') this.deps.status.notModified(this.knownDigest);
      if (served.outcome.kind === 'publication')
        await this.importFrom(served.publisher, served.outcome, served.outcome.forced ? 'replicate-now' : 'feed');
      return 'done';
    } finally {
      this.inFlight = undefined;
    }
  }

  /** POST /v1/replicate-now: fetch the current publication (no If-None-Match) and import it now. */
  async replicateNow(): Promise<IntakeResult> {
    const { gate } = this.deps;
    const local = await gate.check();
    if (local.unknown)
      throw new CibsyncError(
        'CIBSYNC_TICKET_QUERY_FAILED',
        `cannot tell whether this site holds ticket ${gate.ticket} (${local.reason}); nothing applied`,
        { ticket: gate.ticket },
      );
    if (local.held)
      throw new CibsyncError(
        'CIBSYNC_LOCAL_HOLDS_TICKET',
        `this site holds ticket ${gate.ticket}: it is the active site and applies nothing`,
        { ticket: gate.ticket },
      );
    await checkNotOnHold(this.deps.stateDir);
    try {
      const served = await this.firstServing({ hold: false }, new AbortController().signal);
      if (served === 'aborted' || served.outcome.kind !== 'publication')
        throw new CibsyncError('CIBSYNC_FETCH_FAILED', 'the publisher sent no publication');
      const result = await this.importFrom(served.publisher, served.outcome, 'replicate-now');
      this.deps.status.recovered();
      return result;
    } catch (err) {
      const record = this.deps.status.failed(err);
      this.deps.metrics.errors({ code: record.code });
      throw err;
    } finally {
      this.kick(); // the feed request under way waits on the old digest: start a new one
    }
  }

  /**
   * Asks the publishers in turn; the first that serves (200 or 304) wins. Throws CIBSYNC_NO_PUBLISHER
   * naming each publisher's reason (CIBSYNC_TICKET_NOT_HELD, CIBSYNC_FETCH_TIMEOUT, …) when none does.
   */
  private async firstServing(
    ask: Pick<FetchOptions, 'known' | 'hold'>,
    signal: AbortSignal,
  ): Promise<{ publisher: string; outcome: Exclude<FetchOutcome, { kind: 'refused' }> } | 'aborted'> {
    const reasons: { publisher: string; code: string; message: string }[] = [];
    for (const publisher of this.order()) {
      let outcome: FetchOutcome;
      try {
        outcome = await this.fetch(publisher, ask, signal);
      } catch (err) {
        if (signal.aborted) return 'aborted';
        const error = asCibsyncError(err);
        reasons.push({ publisher, code: error.code, message: error.message });
        continue;
      }
      if (outcome.kind === 'refused') {
        reasons.push({ publisher, code: outcome.error.code, message: outcome.error.message });
        continue;
      }
      this.preferred = this.deps.settings.publishers.indexOf(publisher);
      this.deps.status.contacted(publisher);
      return { publisher, outcome };
    }
    const summary = reasons.map((r) => `${r.publisher}: ${r.code}`).join('; ');
    throw new CibsyncError('CIBSYNC_NO_PUBLISHER', `no publisher served a publication (${summary})`, {
      publishers: reasons,
    });
  }

  private async fetch(
    publisher: string,
    ask: Pick<FetchOptions, 'known' | 'hold'>,
    signal: AbortSignal,
  ): Promise<FetchOutcome> {
    const { settings, client, metrics, maxBytes } = this.deps;
    try {
      const outcome = await fetchPublication(client, publisher, {
        ...ask,
        path: this.deps.path,
        report: await this.deps.report(),
        waitMs: settings.waitMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        maxBytes,
        signal,
      });
      metrics.fetches({
        result: outcome.kind === 'publication' ? '200' : outcome.kind === 'not-modified' ? '304' : 'refused',
      });
      return outcome;
    } catch (err) {
      if (!signal.aborted) metrics.fetches({ result: 'error' });
      throw err;
    }
  }

  /** Imports a publication; a refused one is remembered so the feed waits for the next, not retries it. */
  private async importFrom(
    publisher: string,
    outcome: Extract<FetchOutcome, { kind: 'publication' }>,
    trigger: string,
  ): Promise<IntakeResult> {
    try {
      const result = await this.deps.applier.apply(outcome.text, publisher, trigger, this.deps.status);
      this.knownDigest = result.source.digest;
      return result;
    } catch (err) {
      if (isCibsyncError(err) && ORIGIN_REFUSALS.has(err.code)) {
        // Not waited on: an untrusted answer must not keep the trusted publishers from being asked.
        const publishers = this.deps.settings.publishers;
        this.preferred = (publishers.indexOf(publisher) + 1) % publishers.length;
      } else if (isCibsyncError(err) && REFUSED_PUBLICATION_EXITS.has(err.exitCode) && outcome.digest)
        this.knownDigest = outcome.digest;
      throw err;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.nap = undefined;
        resolve();
      }, ms);
      this.nap = {
        timer,
        resolve: () => {
          this.nap = undefined;
          resolve();
        },
      };
    });
  }
}
