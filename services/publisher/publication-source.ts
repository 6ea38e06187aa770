// The one publication every request is served from: built when the configuration changes (or when
// this site gains the ticket), serialised once, and shared by every response. A CIB change that
// leaves admin_epoch and epoch alone (status only) costs a ticket check, not a rebuild.
import { EventEmitter } from 'node:events';
import { asCibsyncError, type CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { buildPublication, serializePublication, type Publication } from '../publication/index.js';
import type { CibChange } from '../watch/cib-watcher.js';
import type { TicketGate } from '../watch/ticket-gate.js';

export interface ServedPublication {
  publication: Publication;
  body: Buffer;
  etag: string;
}

export function etagOf(digest: string): string {
  return `"${digest}"`;
}

export class PublicationSource extends EventEmitter<{ published: [ServedPublication] }> {
  current: ServedPublication | undefined;
  /** Why the last build failed, until one succeeds. */
  lastError: CibsyncError | undefined;
  builds = 0;
  private building: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly pacemaker: Pacemaker,
    private readonly identity: { site?: string; ticket: string },
    private readonly gate: TicketGate,
    private readonly logger: Logger,
  ) {
    super();
  }

  async onCibChange(change: CibChange): Promise<void> {
    this.gate.invalidate();
    if (!change.configurationChanged && this.current) {
      await this.gate.check();
      return;
    }
    // The ticket check and the build run side by side (the build skips its own ticket check); the
    // result is kept only if the ticket is held.
    const [verdict] = await Promise.all([this.gate.check(), this.rebuild()]);
    if (!verdict.held) this.current = undefined;
  }

  /**
   * Builds from the CIB as it is now; one build at a time. A call during a build gets one more build
   * after it (that build may have read the CIB before the change the caller saw); the calls meanwhile
   * share that next build.
   */
  rebuild(): Promise<void> {
    if (this.building) {
      this.next ??= this.building.then(() => {
        this.next = undefined;
        return this.rebuild();
      });
      return this.next;
    }
    this.building = this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(): Promise<void> {
    const started = Date.now();
    let publication: Publication;
    try {
      publication = await buildPublication(this.pacemaker, { site: this.identity.site, ticket: this.identity.ticket, ignoreTicket: true });
    } catch (err) {
      this.lastError = asCibsyncError(err);
      this.logger.warn({ event: 'publication-build-failed', code: this.lastError.code, err: this.lastError.message }, 'could not build the publication');
      return;
    }
    this.builds += 1;
    this.lastError = undefined;
    if (this.current?.publication.digest === publication.digest) return;
    const body = Buffer.from(serializePublication(publication), 'utf8');
    this.current = { publication, body, etag: etagOf(publication.digest) };
    this.logger.info(
      { event: 'publication-built', digest: publication.digest, site: publication.site, adminEpoch: publication.adminEpoch, epoch: publication.epoch, bytes: body.length, ms: Date.now() - started },
      'publication built',
    );
    this.emit('published', this.current);
  }
}
