// One view of every site (issue 11, item 3), as the publisher sees it: its own site (the ticket, what
// it publishes) and every subscriber site that follows it, from the report each one sends with its
// publication requests (services/wire/report.ts). A subscriber is known by its client certificate,
// never by the site its report names: the site of trust.publishers its certificate is trusted for
// (each site's daemons share one certificate, docs/operations.md), else the certificate's CN. Kept
// in memory only: after a restart a site shows again with its next request (within a second or two
// for a long-polling subscriber, which asks again at once).
import type { CertificateIdentity } from '../../certs/inspect.js';
import { matchesIdentity } from '../../certs/inspect.js';
import type { Publication } from '../publication/index.js';
import type { SiteReport } from '../wire/index.js';

export const VERDICTS = ['current', 'behind', 'failing', 'not-seen', 'unknown'] as const;
/**
 * current: it applied the publication served now; behind: an older one (lag: since the first one it
 * lacks was published here); failing: its report carries a standing error; not-seen: no request for
 * notSeenAfterMs; unknown: this publisher has published nothing to compare with.
 */
export type Verdict = (typeof VERDICTS)[number];

/** Publications remembered to tell how long a subscriber has lacked the next one (a few minutes of busy editing). */
const HISTORY = 64;
/** Subscriber sites remembered (bounded by the certificates the CA issued; the longest unseen goes first). */
const SITES = 256;

interface Published {
  digest: string;
  created: string;
  publishedAt: number;
}

interface Follower {
  name: string;
  verified: boolean;
  certificate: string;
  fingerprint: string;
  /** Its requests held open now (a long-polling subscriber always has one). */
  open: number;
  lastSeenAt: number;
  report: SiteReport | undefined;
  /** The last moment it was seen holding the publication this site published last. */
  lastCurrentAt: number | undefined;
}

export interface SubscriberSiteView {
  site: string;
  /** `site` is the site of trust.publishers its certificate is trusted for (else its certificate's CN). */
  verified: boolean;
  certificate: string;
  fingerprint: string;
  /** The site its report names (a claim). */
  reportedSite: string | undefined;
  scope: string | undefined;
  verdict: Verdict;
  /** Whether a request of it is held open now. */
  connected: boolean;
  seenAt: string;
  seenAgeSeconds: number;
  applied: SiteReport['applied'];
  /** 0 when current; else seconds since the first publication it lacks was published here. */
  lagSeconds: number | undefined;
  /** The last time it was seen holding the publication served. */
  lastSuccessAt: string | undefined;
  error: SiteReport['error'];
  pendingPlans: string[];
  held: boolean;
}

export interface PublisherSiteView {
  site: string | undefined;
  ticket: string;
  /** The tickets this site holds now (today the one it publishes for, or none). */
  tickets: string[];
  /** Why it does not serve (ticket not held, a failed build), when it does not. */
  notServing: string | undefined;
  publishes: { digest: string; created: string; adminEpoch: number; epoch: number; publishedAt: string } | undefined;
  lastError: { code: string; message: string } | undefined;
}

export interface SitesView {
  at: string;
  notSeenAfterMs: number;
  publisher: PublisherSiteView;
  subscribers: SubscriberSiteView[];
}

/** What the publisher knows of its own site when asked. */
export interface OwnSite {
  site: string | undefined;
  ticket: string;
  held: boolean;
  notServing: string | undefined;
  served: Publication | undefined;
  lastError: { code: string; message: string } | undefined;
}

export class SiteTable {
  private readonly followers = new Map<string, Follower>();
  private readonly history: Published[] = [];

  constructor(
    /** trust.publishers: per site, the certificates trusted for it. */
    private readonly trust: Record<string, string[]>,
    readonly notSeenAfterMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A publication was built and is served from now on. */
  published(publication: Pick<Publication, 'digest' | 'created'>): void {
    if (this.history.at(-1)?.digest === publication.digest) return; // re-signed, the same configuration
    this.history.push({ digest: publication.digest, created: publication.created, publishedAt: this.clock() });
    if (this.history.length > HISTORY) this.history.shift();
  }

  /**
   * The site name a certificate stands for: the trust.publishers site it is trusted for, else its CN
   * (`CN=…` when that CN is also the name of a site it is not trusted for, so it never passes for it).
   */
  private nameOf(peer: CertificateIdentity): { name: string; verified: boolean } {
    const site = Object.entries(this.trust).find(([, trusted]) => matchesIdentity(peer, trusted))?.[0];
    if (site !== undefined) return { name: site, verified: true };
    return {
      name: Object.hasOwn(this.trust, peer.commonName) ? `CN=${peer.commonName}` : peer.commonName,
      verified: false,
    };
  }

  /**
   * A subscriber's request arrived with its report (undefined: unreadable, the last one stands).
   * Returns the call to make when the request ends (answered, or the connection gone).
   */
  seen(peer: CertificateIdentity, report: SiteReport | undefined): () => void {
    const { name, verified } = this.nameOf(peer);
    const now = this.clock();
    // The same daemon under a renewed certificate of another name: one site, under its new name.
    if (report?.instance)
      for (const [other, follower] of this.followers)
        if (other !== name && follower.report?.instance === report.instance) this.followers.delete(other);
    const known = this.followers.get(name);
    if (!known) this.evictIfFull();
    const entry: Follower = known ?? {
      name,
      verified,
      certificate: '',
      fingerprint: '',
      open: 0,
      lastSeenAt: now,
      report: undefined,
      lastCurrentAt: undefined,
    };
    this.followers.set(name, entry);
    Object.assign(entry, { verified, certificate: peer.subject, fingerprint: peer.fingerprint, lastSeenAt: now });
    if (report) entry.report = report;
    entry.open += 1;
    this.confirm(entry, now);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.open -= 1;
      entry.lastSeenAt = this.clock();
      this.confirm(entry, entry.lastSeenAt);
    };
  }

  private confirm(follower: Follower, at: number): void {
    const latest = this.history.at(-1);
    if (latest && follower.report?.applied?.digest === latest.digest && !follower.report.error)
      follower.lastCurrentAt = at;
  }

  private evictIfFull(): void {
    if (this.followers.size < SITES) return;
    const oldest = [...this.followers.values()]
      .filter((f) => f.open === 0)
      .sort((x, y) => x.lastSeenAt - y.lastSeenAt)[0];
    if (oldest) this.followers.delete(oldest.name);
  }

  /** Seconds since the first publication after `digest` was published here (the oldest known when `digest` is not among them). */
  private lagOf(digest: string | undefined, now: number): number | undefined {
    if (this.history.length === 0) return undefined;
    const index = this.history.findIndex((p) => p.digest === digest);
    if (index === this.history.length - 1) return 0;
    const lacking = this.history[index + 1] as Published; // index -1: the oldest known
    return Math.max(0, (now - lacking.publishedAt) / 1000);
  }

  private viewOf(f: Follower, now: number): SubscriberSiteView {
    const seenAt = f.open > 0 ? now : f.lastSeenAt;
    const seenAgeMs = now - seenAt;
    const latest = this.history.at(-1);
    const applied = f.report?.applied;
    const verdict: Verdict =
      seenAgeMs > this.notSeenAfterMs
        ? 'not-seen'
        : f.report?.error
          ? 'failing'
          : !latest
            ? 'unknown'
            : applied?.digest === latest.digest
              ? 'current'
              : 'behind';
    const current = verdict === 'current';
    const lastSuccess = current ? seenAt : f.lastCurrentAt;
    return {
      site: f.name,
      verified: f.verified,
      certificate: f.certificate,
      fingerprint: f.fingerprint,
      reportedSite: f.report?.site,
      scope: f.report?.scope,
      verdict,
      connected: f.open > 0,
      seenAt: new Date(seenAt).toISOString(),
      seenAgeSeconds: Math.max(0, seenAgeMs / 1000),
      applied,
      lagSeconds: this.lagOf(applied?.digest, now),
      lastSuccessAt: lastSuccess === undefined ? undefined : new Date(lastSuccess).toISOString(),
      error: f.report?.error,
      pendingPlans: f.report?.pendingPlans ?? [],
      held: f.report?.held === true,
    };
  }

  /** Every subscriber site, by name. */
  subscribers(now = this.clock()): SubscriberSiteView[] {
    return [...this.followers.values()].map((f) => this.viewOf(f, now)).sort((x, y) => x.site.localeCompare(y.site));
  }

  view(own: OwnSite): SitesView {
    const now = this.clock();
    const served = own.served;
    const publishedAt = served && this.history.find((p) => p.digest === served.digest)?.publishedAt;
    return {
      at: new Date(now).toISOString(),
      notSeenAfterMs: this.notSeenAfterMs,
      publisher: {
        site: own.site,
        ticket: own.ticket,
        tickets: own.held ? [own.ticket] : [],
        notServing: own.notServing,
        publishes: served && {
          digest: served.digest,
          created: served.created,
          adminEpoch: served.adminEpoch,
          epoch: served.epoch,
          publishedAt: new Date(publishedAt ?? now).toISOString(),
        },
        lastError: own.lastError,
      },
      subscribers: this.subscribers(now),
    };
  }
}

/** A verdict as a person reads it: `not seen for 75 s`, `behind by 12 s`. */
export function verdictText(s: Pick<SubscriberSiteView, 'verdict' | 'seenAgeSeconds' | 'lagSeconds'>): string {
  if (s.verdict === 'not-seen') return `not seen for ${Math.round(s.seenAgeSeconds)} s`;
  if (s.verdict === 'behind' && s.lagSeconds !== undefined) return `behind by ${Math.round(s.lagSeconds)} s`;
  if (s.verdict === 'unknown') return 'unknown (nothing published here to compare with)';
  return s.verdict;
}
