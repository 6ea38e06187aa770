// The one publication every request is served from: built when the configuration changes (or when
// this site gains the ticket), serialised once, and shared by every response. A CIB change that
// leaves admin_epoch and epoch alone (status only) costs a ticket check, not a rebuild.
import { EventEmitter } from 'node:events';
import type { TlsConfig } from '../config/index.js';
import { asCibsyncError, type CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadTlsMaterial } from '../net/tls-material.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { type BuildOptions, buildPublication } from '../publication/build.js';
import {
  digestSigner,
  type Publication,
  type PublicationSignature,
  serializePublication,
} from '../publication/index.js';
import type { CibChange } from '../watch/cib-watcher.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import { etagOf } from '../wire/index.js';
import { canonical } from '../xml/index.js';

export interface ServedPublication {
  publication: Publication;
  body: Buffer;
  etag: string;
}

/**
 * Signs with the publisher's own TLS key and certificate, as the files hold them at each build; a set
 * that fails the checks (a rotation halfway through a copy) leaves the last good one in use, as the
 * TLS server does.
 */
export function tlsSigner(tls: Pick<TlsConfig, 'cert' | 'key' | 'ca'>): () => (digest: string) => PublicationSignature {
  let material = loadTlsMaterial(tls);
  return () => {
    try {
      material = loadTlsMaterial(tls);
    } catch {
      // keep the last good set; the TLS reload logs the failure
    }
    return digestSigner(material.key, material.cert);
  };
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
    /** `scope`: a scoped publication (scope.ts); without it, the whole configuration. */
    private readonly identity: { site?: string; ticket: string; scope?: BuildOptions['scope'] },
    private readonly gate: TicketGate,
    private readonly logger: Logger,
    private readonly signer: () => (digest: string) => PublicationSignature,
  ) {
    super();
  }

  async onCibChange(change: CibChange): Promise<void> {
    const wasHeld = this.gate.last?.held;
    this.gate.invalidate();
    if (!change.configurationChanged && this.current) {
      await this.gate.check();
      return;
    }
    // A scope whose ticket this site did not hold is built once it does (onTicketGained), not on every
    // change: with several tickets, the other tickets' channels would each rebuild for nothing.
    if (this.identity.scope && wasHeld === false && !(await this.gate.check()).held) {
      this.current = undefined;
      return;
    }
    // The ticket check and the build run side by side (the build skips its own ticket check); the
    // result is kept only if the ticket is held.
    await Promise.all([this.gate.check(), this.rebuild()]);
    // Asked again: the ticket watcher may have seen a grant while the build ran.
    if (!(await this.gate.check()).held) this.current = undefined;
  }

  /**
   * This site gained the ticket: on a live cluster a status change the CIB watcher does not see, so
   * build now unless a publication is built or being built.
   */
  onTicketGained(): void {
    if (!this.current && !this.building) void this.rebuild();
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
      publication = await buildPublication(this.pacemaker, {
        site: this.identity.site,
        ticket: this.identity.ticket,
        scope: this.identity.scope,
        ignoreTicket: true,
        sign: this.signer(),
      });
    } catch (err) {
      this.lastError = asCibsyncError(err);
      this.logger.warn(
        { event: 'publication-build-failed', code: this.lastError.code, err: this.lastError.message },
        'could not build the publication',
      );
      return;
    }
    this.builds += 1;
    this.lastError = undefined;
    // A renewed certificate re-signs an unchanged publication, so no one is served an expiring signer.
    const current = this.current?.publication;
    if (current?.digest === publication.digest && current.signature?.signer === publication.signature?.signer) return;
    // A scope's publication changes with its scope, not with the CIB's epoch: a change elsewhere in the
    // configuration (another scope applied here) wakes none of this scope's subscribers.
    if (current && this.identity.scope && sameContent(current, publication)) return;
    const body = Buffer.from(serializePublication(publication), 'utf8');
    this.current = { publication, body, etag: etagOf(publication.digest) };
    this.logger.info(
      {
        event: 'publication-built',
        digest: publication.digest,
        site: publication.site,
        adminEpoch: publication.adminEpoch,
        epoch: publication.epoch,
        scope: publication.scopes?.join('+'),
        bytes: body.length,
        ms: Date.now() - started,
      },
      'publication built',
    );
    this.emit('published', this.current);
  }
}

/** The same publication but for its epochs and time (and a signature by the same signer). */
function sameContent(a: Publication, b: Publication): boolean {
  const content = (p: Publication) =>
    JSON.stringify([
      p.site,
      p.ticket,
      p.scopes,
      p.nodeAttributes,
      p.sourceVerdict,
      p.signature?.signer,
      canonical(p.configuration),
    ]);
  return content(a) === content(b);
}
