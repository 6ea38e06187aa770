// Runs fetched publications through the Core import pipeline, one at a time (the follow loop and
// replicate-now may both want to), and records each outcome in the status and the metrics.
import type { Config } from '../config/index.js';
import { asCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { importPublication, type ImportResult } from '../pipeline/index.js';
import type { SubscriberMetrics } from './metrics.js';
import type { SubscriberStatus } from './status.js';

export class Applier {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: Config,
    private readonly pacemaker: Pacemaker,
    private readonly logger: Logger,
    private readonly status: SubscriberStatus,
    private readonly metrics: SubscriberMetrics,
  ) {}

  apply(text: string, publisher: string, trigger: string): Promise<ImportResult> {
    const run = this.tail.then(() => this.run(text, publisher, trigger));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once no apply is running or queued (SIGTERM waits for this). */
  idle(): Promise<unknown> {
    return this.tail;
  }

  private async run(text: string, publisher: string, trigger: string): Promise<ImportResult> {
    const started = Date.now();
    try {
      const result = await importPublication(text, { config: this.config, pacemaker: this.pacemaker, logger: this.logger });
      this.status.applied(result, publisher);
      this.metrics.imports({ outcome: result.outcome });
      this.logger.info(
        { event: 'import-done', outcome: result.outcome, digest: result.source.digest, source: result.source.site, epoch: `${result.source.adminEpoch}.${result.source.epoch}`, changes: result.changes.length, publisher, trigger, ms: Date.now() - started },
        `publication from ${result.source.site} ${result.outcome}`,
      );
      return result;
    } catch (err) {
      const error = asCibsyncError(err);
      this.metrics.imports({ outcome: 'refused' });
      this.logger.warn({ event: 'import-failed', code: error.code, err: error.message, publisher, trigger }, 'import failed; the local CIB was not changed');
      throw error;
    }
  }
}
