// One request to one publisher, classified: a publication to import, "not modified", or a refusal
// that names its reason (the publisher's problem+json code, e.g. CIBSYNC_TICKET_NOT_HELD).
import type { CibsyncError } from '../errors.js';
import type { MtlsClient } from '../net/client.js';
import {
  CONTENT_TYPE,
  digestOfEtag,
  errorFromProblem,
  etagOf,
  FEED_QUERY,
  HEADER,
  PUBLISHER_ROUTES,
  REFUSAL_STATUSES,
  WAKE_REPLICATE_NOW,
} from '../wire/index.js';

export type FetchOutcome =
  | { kind: 'publication'; text: string; digest: string | undefined; forced: boolean }
  | { kind: 'not-modified' }
  | { kind: 'refused'; error: CibsyncError };

export interface FetchOptions {
  /** The digest this subscriber already has: sent as If-None-Match. */
  known?: string;
  /** With `known`: ask the publisher to hold the request until the publication changes (the change feed). */
  hold?: boolean;
  waitMs: number;
  requestTimeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** The document asked for: the publication (default), or the runtime attributes. */
  route?: typeof PUBLISHER_ROUTES.publication | typeof PUBLISHER_ROUTES.runtime;
}

export async function fetchPublication(
  client: MtlsClient,
  publisherUrl: string,
  options: FetchOptions,
): Promise<FetchOutcome> {
  const url = new URL((options.route ?? PUBLISHER_ROUTES.publication).path, publisherUrl);
  const headers: Record<string, string> = { [HEADER.accept]: CONTENT_TYPE.xml };
  const holding = options.known !== undefined && options.hold === true;
  if (options.known !== undefined) headers[HEADER.ifNoneMatch] = etagOf(options.known);
  if (holding) {
    url.searchParams.set(FEED_QUERY.wait, options.known as string);
    url.searchParams.set(FEED_QUERY.timeout, String(options.waitMs));
  }
  // A held request may take waitMs before its headers; everything else (connect, headers, the whole
  // body) must fit in requestTimeoutMs on top of that.
  const allowedMs = (holding ? options.waitMs : 0) + options.requestTimeoutMs;
  const response = await client.request(url.toString(), {
    headers,
    maxBytes: options.maxBytes,
    headersTimeoutMs: allowedMs,
    bodyTimeoutMs: options.requestTimeoutMs,
    deadlineMs: allowedMs,
    signal: options.signal,
  });
  if (response.status === 304) return { kind: 'not-modified' };
  if (response.status === 200) {
    const digest = digestOfEtag(response.headers[HEADER.etag]);
    return {
      kind: 'publication',
      text: response.body.toString('utf8'),
      digest,
      forced: response.headers[HEADER.wake] === WAKE_REPLICATE_NOW,
    };
  }
  const error = errorFromProblem(url.toString(), response.status, response.body);
  if (REFUSAL_STATUSES.includes(response.status)) return { kind: 'refused', error };
  throw error;
}
