// One request to one publisher, classified: a publication to import, "not modified", or a refusal
// that names its reason (the publisher's problem+json code, e.g. CIBSYNC_TICKET_NOT_HELD).
import { CibsyncError, ERRORS, type ErrorCode } from '../errors.js';
import type { MtlsClient } from '../net/client.js';
import { PUBLICATION_PATH } from '../publisher/routes.js';

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
}

/** The error a peer's problem+json body names, or a generic one for a body that is not one. */
export function errorFromProblem(url: string, status: number, body: Buffer): CibsyncError {
  try {
    const problem = JSON.parse(body.toString('utf8')) as { code?: string; detail?: string };
    if (problem.code && problem.code in ERRORS) return new CibsyncError(problem.code as ErrorCode, `${url}: ${problem.detail ?? problem.code}`, { url, status });
  } catch {
    // not JSON: fall through to the generic error
  }
  return new CibsyncError('CIBSYNC_FETCH_FAILED', `${url}: unexpected HTTP status ${status}`, { url, status });
}

export async function fetchPublication(client: MtlsClient, publisherUrl: string, options: FetchOptions): Promise<FetchOutcome> {
  const url = new URL(PUBLICATION_PATH, publisherUrl);
  const headers: Record<string, string> = { accept: 'application/xml' };
  const holding = options.known !== undefined && options.hold === true;
  if (options.known !== undefined) headers['if-none-match'] = `"${options.known}"`;
  if (holding) {
    url.searchParams.set('wait', options.known as string);
    url.searchParams.set('timeout', String(options.waitMs));
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
    const etag = response.headers.etag;
    const digest = typeof etag === 'string' ? etag.replace(/^W\//, '').replace(/"/g, '') : undefined;
    return { kind: 'publication', text: response.body.toString('utf8'), digest, forced: response.headers['cibsync-wake'] === 'replicate-now' };
  }
  const error = errorFromProblem(url.toString(), response.status, response.body);
  if (response.status === 503 || response.status === 403) return { kind: 'refused', error };
  throw error;
}
