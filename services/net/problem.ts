// Answers an error as problem+json (services/wire/problem.ts) on a fastify reply, never cached.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CibsyncError } from '../errors.js';
import { CONTENT_TYPE, HEADER, problemOf } from '../wire/index.js';

/** `status` overrides the error table's (see docs/errors.md). */
export function sendProblem(reply: FastifyReply, err: unknown, status?: number): FastifyReply {
  const answer = problemOf(err, status);
  return reply
    .code(answer.status)
    .header(HEADER.contentType, CONTENT_TYPE.problem)
    .header(HEADER.cacheControl, 'no-store')
    .send(JSON.stringify(answer.problem));
}

/** A route scope's error handler: a CibsyncError as itself; fastify's own refusals (unknown content type, body too large, bad JSON) as CIBSYNC_USAGE under their HTTP status. */
export function problemErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return err instanceof CibsyncError
    ? sendProblem(reply, err)
    : sendProblem(reply, new CibsyncError('CIBSYNC_USAGE', err.message), err.statusCode ?? 400);
}
