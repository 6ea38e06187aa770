// The header names and content types both daemons and their clients use (docs/network.md), and the
// ETag form: a publication's digest in double quotes.

export const HEADER = {
  accept: 'accept',
  contentType: 'content-type',
  cacheControl: 'cache-control',
  etag: 'etag',
  ifNoneMatch: 'if-none-match',
  /** On a held feed request released by replicate-now: the subscriber imports even an unchanged publication. */
  wake: 'cibsync-wake',
  /** On a subscriber's publication request: what it applied, its standing error, its pending plans (report.ts). */
  report: 'cibsync-report',
} as const;

/** The value of HEADER.wake. */
export const WAKE_REPLICATE_NOW = 'replicate-now';

export const CONTENT_TYPE = {
  publication: 'application/xml; charset=utf-8',
  xml: 'application/xml',
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
  form: 'application/x-www-form-urlencoded',
  metrics: 'text/plain; version=0.0.4',
  /** An error: services/wire/problem.ts. */
  problem: 'application/problem+json',
} as const;

/** The content types the plan API reads an edited candidate from. */
export const XML_BODY_TYPES = [CONTENT_TYPE.xml, 'text/xml'];

export function etagOf(digest: string): string {
  return `"${digest}"`;
}

/** The digest an ETag names (weak or strong); undefined for none, or for a header sent twice. */
export function digestOfEtag(etag: string | string[] | undefined): string | undefined {
  return typeof etag === 'string' ? etag.replace(/^W\//, '').replace(/"/g, '') : undefined;
}

/** Whether an If-None-Match list names `etag` (weak comparison, as for a GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag) ?? false;
}
