// What a subscriber tells the publisher it follows about itself, in the `Cibsync-Report` header of
// every publication request it already makes (docs/network.md, "One view of every site"): one line of
// JSON, ASCII only (HTTP header values are Latin-1; anything else is escaped as \uXXXX), bounded in
// size. The site it names is a claim: the publisher knows a site by its client certificate.

/** How much of an error message travels (the code says what failed; the subscriber's status has the rest). */
const MESSAGE_CHARS = 200;
/** Plan ids listed at most (one is pending at a time today). */
const PLANS_LISTED = 8;
/** A header longer than this is not read (Node's whole header limit is 16 KiB). */
export const REPORT_MAX_CHARS = 4096;

export interface SiteReport {
  /** The site the subscriber says it is (its `site` setting); shown, never used as its identity. */
  site?: string;
  /** What the applied publication covers: the whole configuration today ("configuration"). */
  scope: string;
  /** The publication last applied (or found unchanged) there: its digest, built at the source at `created`, committed at `at`. */
  applied?: { digest: string; created: string; at: string };
  /** The failure that stands there now (a refused import, a failing round), until one goes through. */
  error?: { code: string; message: string; at: string };
  /** Manual approval: the plans that wait for a person's decision. */
  pendingPlans: string[];
  /** Replication put on hold there by an operator (`cibsync hold`, a rollback). */
  held?: boolean;
  /**
   * Random, drawn when the subscriber starts, sent to the publishers only: a report under a new
   * certificate with the instance of an entry under another is the same daemon after a certificate
   * renewal (reload-agent), not a second site.
   */
  instance?: string;
}

export const WHOLE_CONFIGURATION_SCOPE = 'configuration';

/** The header value for `report`: compact JSON, non-ASCII escaped. */
export function encodeReport(report: SiteReport): string {
  const bounded: SiteReport = {
    ...report,
    ...(report.error ? { error: { ...report.error, message: report.error.message.slice(0, MESSAGE_CHARS) } } : {}),
    pendingPlans: report.pendingPlans.slice(0, PLANS_LISTED),
  };
  return JSON.stringify(bounded).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const isText = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length <= max;
const isTime = (v: unknown): v is string => isText(v, 64) && Number.isFinite(Date.parse(v));

/** The report a header carries; undefined for a header that is absent, too long, or not a report (the request is served all the same). */
export function parseReport(header: string | string[] | undefined): SiteReport | undefined {
  if (typeof header !== 'string' || header.length > REPORT_MAX_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (!isText(r.scope) || (r.site !== undefined && !isText(r.site))) return undefined;
  if (r.instance !== undefined && !isText(r.instance, 64)) return undefined;
  if (!Array.isArray(r.pendingPlans) || !r.pendingPlans.every((id) => isText(id))) return undefined;
  const applied = r.applied as Record<string, unknown> | undefined;
  if (applied !== undefined && !(isText(applied?.digest, 128) && isTime(applied.created) && isTime(applied.at)))
    return undefined;
  const error = r.error as Record<string, unknown> | undefined;
  if (error !== undefined && !(isText(error?.code, 64) && isText(error.message, 4 * MESSAGE_CHARS) && isTime(error.at)))
    return undefined;
  return {
    ...(r.site === undefined ? {} : { site: r.site }),
    scope: r.scope,
    ...(applied ? { applied: { digest: applied.digest, created: applied.created, at: applied.at } } : {}),
    ...(error ? { error: { code: error.code, message: error.message, at: error.at } } : {}),
    pendingPlans: (r.pendingPlans as string[]).slice(0, PLANS_LISTED),
    ...(r.held === true ? { held: true } : {}),
    ...(r.instance === undefined ? {} : { instance: r.instance }),
  } as SiteReport;
}
