// The runtime document every GET /v1/runtime is served from: the transient node attributes on the
// runtimeAttributes.names allowlist, read from the status at most once per minIntervalMs while this
// site holds the ticket, rebuilt and signed only when they changed. Apart from the publication: a
// statistics tick never touches the configuration's digest nor wakes its feed.
import { EventEmitter } from 'node:events';
import type { RuntimeAttributesConfig } from '../config/index.js';
import { asCibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import { Paced } from '../net/paced.js';
import type { Pacemaker } from '../pacemaker/index.js';
import {
  type NodeAttributes,
  type PublicationSignature,
  type RuntimeDocument,
  runtimeNameFilter,
  sealRuntime,
  serializeRuntime,
} from '../publication/index.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import { etagOf } from '../wire/index.js';

export interface ServedRuntime {
  document: RuntimeDocument;
  body: Buffer;
  etag: string;
}

export class RuntimeSource extends EventEmitter<{ published: [ServedRuntime] }> {
  current: ServedRuntime | undefined;
  private readonly allowed: (name: string) => boolean;
  /** The status reads, at most one per minIntervalMs whatever the CIB does. */
  private readonly reads: Paced;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly pacemaker: Pacemaker,
    /** The site as the publication names it (the setting, else cluster-name); undefined before the first build. */
    private readonly identity: { site: () => string | undefined; ticket: string },
    private readonly settings: RuntimeAttributesConfig,
    private readonly gate: TicketGate,
    private readonly logger: Logger,
    private readonly signer: () => (digest: string) => PublicationSignature,
  ) {
    super();
    this.allowed = runtimeNameFilter(settings.names);
    this.reads = new Paced(settings.minIntervalMs, () => this.readNow());
  }

  /**
   * Reads every minIntervalMs (a live cluster's status changes reach no file the CIB watcher sees),
   * and sooner after a change the watcher did see, never more often. Nothing when no name is allowed.
   */
  start(): void {
    if (this.settings.names.length === 0) return;
    this.poll = setInterval(() => this.poke(), this.settings.minIntervalMs);
    this.poll.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    await this.reads.stop();
  }

  /** Something may have changed: read now if the last read is minIntervalMs old, else once it is. */
  poke(): void {
    if (this.settings.names.length > 0) this.reads.poke();
  }

  private async readNow(): Promise<void> {
    const site = this.identity.site();
    // Asked, not gate.last: every CIB change forgets the last answer, and the status ticks.
    if (site === undefined || !(await this.gate.check()).held) {
      this.current = undefined; // a site that does not hold the ticket serves nothing
      return;
    }
    let attributes: NodeAttributes;
    try {
      const transient = await this.pacemaker.queryTransientAttributes();
      const kept: [string, Record<string, string>][] = [];
      for (const [node, values] of transient) {
        const allowed = [...values].filter(([name]) => this.allowed(name));
        if (allowed.length > 0) kept.push([node, Object.fromEntries(allowed)]);
      }
      attributes = Object.fromEntries(kept);
    } catch (err) {
      const error = asCibsyncError(err);
      this.logger.warn(
        { event: 'runtime-read-failed', code: error.code, err: error.message },
        'could not read the transient node attributes; the next read tries again',
      );
      return;
    }
    const document = sealRuntime({ site, ticket: this.identity.ticket, attributes }, this.signer());
    if (this.current?.document.digest === document.digest) return;
    this.current = { document, body: Buffer.from(serializeRuntime(document), 'utf8'), etag: etagOf(document.digest) };
    this.logger.debug({ event: 'runtime-built', digest: document.digest }, 'runtime attributes changed');
    this.emit('published', this.current);
  }
}
