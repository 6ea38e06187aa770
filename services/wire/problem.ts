// Errors over HTTP, both ways: an RFC 9457 problem+json body (CONTENT_TYPE.problem) carrying the
// stable cibsync code (so a peer, and a human with curl, sees the code the logs and docs/errors.md
// use) under the HTTP status of the error table; and a peer's body read back into that error. A body that is not a cibsync
// problem is refused as CIBSYNC_FETCH_FAILED, naming the HTTP status and what is wrong with it.
import { asCibsyncError, CibsyncError, ERRORS, type ErrorCode } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  /** The HTTP status, unless the error's details name a `status` of their own (a plan's: CIBSYNC_PLAN_NOT_PENDING). */
  status: unknown;
  code: ErrorCode;
  detail: string;
  [extra: string]: unknown;
}

/** A publisher with nothing to serve answers this whichever error says why (a failed build included). */
export const NOT_SERVING_STATUS = 503;
/** A publisher answering one of these serves nothing to this client now (not serving, not allowed): the subscriber asks the next one. */
export const REFUSAL_STATUSES: readonly number[] = [403, NOT_SERVING_STATUS];

export interface ProblemAnswer {
  status: number;
  problem: Problem;
}

/** The answer to an error: the error table's HTTP status (unless `status` overrides it, see docs/errors.md) and the problem. */
export function problemOf(err: unknown, status?: number): ProblemAnswer {
  const error = asCibsyncError(err);
  const { stack: _stack, ...details } = error.details;
  const code = error.code;
  const http = status ?? ERRORS[code].http;
  return {
    status: http,
    problem: {
      type: `https://cibsync.invalid/errors#${code}`,
      title: code,
      status: http,
      code,
      detail: error.message,
      ...details,
    },
  };
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** What makes a body something other than a cibsync problem, or undefined when it is one. */
function malformation(problem: unknown): string | undefined {
  if (typeof problem !== 'object' || problem === null || Array.isArray(problem)) return 'not a JSON object';
  const { code, detail } = problem as { code?: unknown; detail?: unknown };
  if (!isErrorCode(code)) return code === undefined ? 'no code' : 'not a cibsync error code';
  if (detail !== undefined && typeof detail !== 'string') return 'detail is not a string';
  return undefined;
}

/** The error a peer's problem+json body names; CIBSYNC_FETCH_FAILED for a body that is not one. */
export function errorFromProblem(url: string, status: number, body: Buffer): CibsyncError {
  let problem: unknown;
  try {
    problem = JSON.parse(body.toString('utf8'));
  } catch {
    problem = undefined;
  }
  const wrong = problem === undefined ? 'not JSON' : malformation(problem);
  if (wrong)
    return new CibsyncError('CIBSYNC_FETCH_FAILED', `${url}: unexpected HTTP status ${status} (body: ${wrong})`, {
      url,
      status,
    });
  const { code, detail } = problem as Problem;
  return new CibsyncError(code, `${url}: ${detail ?? code}`, { url, status });
}
