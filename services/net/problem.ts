// Answers an error as problem+json (services/wire/problem.ts) on a fastify reply, never cached.
import type { FastifyReply } from 'fastify';
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
