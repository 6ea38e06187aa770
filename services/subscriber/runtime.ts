// The runtime loop: follows the publishers' runtime attributes (GET /v1/runtime, its own change feed)
// beside the follow loop, never through it: a statistics tick neither wakes nor waits for a
// configuration import. What arrives is only remembered; the write to the CIB is coalesced: rounds
// start at least runtimeAttributes.minIntervalMs apart and write each attribute at most once, with the
// latest values, so a counter updated every 100 ms costs one CIB write per interval, not ten a second.
// Idle while this site holds the ticket (or cannot tell) and while replication is on hold.
import type { Config, SubscriberConfig } from '../config/index.js';
import { asCibsyncError, CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MtlsClient } from '../net/client.js';
import { Paced } from '../net/paced.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { readRuntimeChecked, writeRuntimeAttributes } from '../pipeline/index.js';
import type { RuntimeDocument } from '../publication/index.js';
import { readHold } from '../state/hold.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import { PUBLISHER_ROUTES } from '../wire/index.js';
import { backoffDelay } from './backoff.js';
import { fetchPublication } from './fetcher.js';
import type { SubscriberMetrics } from './metrics.js';

export interface RuntimeDeps {
  config: Config;
  settings: SubscriberConfig;
  client: MtlsClient;
  gate: TicketGate;
  pacemaker: Pacemaker;
  metrics: SubscriberMetrics;
  logger: Logger;
}

export class RuntimeLoop {
  private stopped = false;
  private running: Promise<void> | undefined;
  private inFlight: AbortController | undefined;
  private nap: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /** The digest the publishers are asked to wait on: the last document taken. */
  private known: string | undefined;
  private preferred = 0;
  private failures = 0;
  private lastFailure: string | undefined;
  /** The latest document not yet written. */
  private latest: RuntimeDocument | undefined;
  /** The write rounds: at most one per minIntervalMs, the last document always written. */
  private readonly writes: Paced;

  constructor(private readonly deps: RuntimeDeps) {
    this.writes = new Paced(deps.config.runtimeAttributes.minIntervalMs, () => this.write());
  }

  /** Runs only when runtimeAttributes.names allows something. */
  start(): void {
    if (this.deps.config.runtimeAttributes.names.length > 0) this.running = this.loop();
  }

  /** Ends the current wait or nap (the ticket changed). */
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
    await this.writes.stop();
  }

  private async loop(): Promise<void> {
    const { settings, config } = this.deps;
    let lastRoundAt = Number.NEGATIVE_INFINITY;
    while (!this.stopped) {
      if (!(await this.mayApply())) {
        this.known = undefined;
        await this.sleep(settings.changePollMs);
        continue;
      }
      await this.sleep(lastRoundAt + settings.minRoundIntervalMs - performance.now());
      if (this.stopped) break;
      lastRoundAt = performance.now();
      try {
        await this.round();
        this.failures = 0;
        this.lastFailure = undefined;
      } catch (err) {
        if (this.stopped) break;
        this.failed(asCibsyncError(err));
        // Capped at the write interval, not retryMaxMs: values are not wanted sooner, and a publisher
        // that publishes no runtime attributes is not asked every second.
        await this.sleep(backoffDelay(this.failures, settings.backoffMinMs, config.runtimeAttributes.minIntervalMs));
      }
    }
  }

  /** Not while this site holds the ticket or cannot tell (fail closed), nor while replication is on hold. */
  private async mayApply(): Promise<boolean> {
    const local = await this.deps.gate.check();
    return !local.held && !local.unknown && (await readHold(this.deps.config.stateDir)) === undefined;
  }

  /** One request, to the first publisher that serves (the one that served last first). */
  private async round(): Promise<void> {
    const { settings, client, config } = this.deps;
    const controller = new AbortController();
    this.inFlight = controller;
    const reasons: string[] = [];
    try {
      const urls = settings.publishers;
      for (let i = 0; i < urls.length; i++) {
        const index = (this.preferred + i) % urls.length;
        const publisher = urls[index] as string;
        let outcome: Awaited<ReturnType<typeof fetchPublication>>;
        try {
          outcome = await fetchPublication(client, publisher, {
            path: PUBLISHER_ROUTES.runtime.path,
            known: this.known,
            hold: this.known !== undefined && settings.feed === 'long-poll' && this.failures === 0,
            waitMs: settings.waitMs,
            requestTimeoutMs: settings.requestTimeoutMs,
            maxBytes: config.maxPublicationBytes,
            signal: controller.signal,
          });
        } catch (err) {
          if (controller.signal.aborted) return;
          reasons.push(`${publisher}: ${asCibsyncError(err).code}`);
          continue;
        }
        if (outcome.kind === 'refused') {
          reasons.push(`${publisher}: ${outcome.error.code}`);
          continue;
        }
        this.preferred = index;
        if (outcome.kind === 'publication') this.take(readRuntimeChecked(outcome.text, this.deps, publisher));
        if (settings.feed === 'poll') await this.sleep(settings.pollIntervalMs);
        return;
      }
      throw new CibsyncError('CIBSYNC_NO_PUBLISHER', `no publisher served runtime attributes (${reasons.join('; ')})`);
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Remembers the newest document; the write pacing decides when it reaches the CIB. */
  private take(document: RuntimeDocument): void {
    this.known = document.digest;
    this.latest = document;
    this.writes.poke();
  }

  private async write(): Promise<void> {
    const document = this.latest;
    if (!document) return;
    this.latest = undefined;
    const { config, pacemaker, logger, metrics } = this.deps;
    // A document taken just before this site gained the ticket, or before a hold, is not written.
    if (!(await this.mayApply())) return;
    try {
      const { changes, unmapped } = await writeRuntimeAttributes(document, { config, pacemaker, logger });
      metrics.runtimeWrites(undefined, changes.length);
      if (changes.length > 0 || unmapped.length > 0)
        logger.info(
          {
            event: 'runtime-applied',
            source: document.site,
            set: changes.filter((c) => c.change === 'set').length,
            deleted: changes.filter((c) => c.change === 'deleted').map((c) => `${c.node}:${c.name}`),
            unmapped: unmapped.length > 0 ? unmapped : undefined,
          },
          `runtime attributes from ${document.site}: ${changes.length} written`,
        );
    } catch (err) {
      const error = asCibsyncError(err);
      metrics.errors({ code: error.code });
      logger.warn(
        { event: 'runtime-write-failed', code: error.code, err: error.message },
        'runtime attributes not written; the next document (or the next round) tries again',
      );
      // Asked afresh: the publisher answers at once with what is current, and that is written.
      this.known = undefined;
    }
  }

  /** Logged when a failure starts or its reason changes, not every retry. */
  private failed(error: CibsyncError): void {
    this.failures += 1;
    this.known = undefined;
    this.deps.metrics.errors({ code: error.code });
    if (this.lastFailure === error.message) return;
    this.lastFailure = error.message;
    this.deps.logger.warn(
      { event: 'runtime-round-failed', code: error.code, err: error.message },
      `no runtime attributes this round (${error.code})`,
    );
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
