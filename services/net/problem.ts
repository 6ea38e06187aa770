// Errors over HTTP: an RFC 9457 problem+json body carrying the stable cibsync code, so a peer (and a
// human with curl) sees the same code the logs and docs/errors.md use.
import type { FastifyReply } from 'fastify';
import { asCibsyncError } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [extra: string]: unknown;
}

export function problemOf(err: unknown, status: number): Problem {
  const error = asCibsyncError(err);
  const { stack: _stack, ...details } = error.details;
  return { type: `https://cibsync.invalid/errors#${error.code}`, title: error.code, status, code: error.code, detail: error.message, ...details };
}

export function sendProblem(reply: FastifyReply, status: number, err: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/problem+json').header('cache-control', 'no-store').send(JSON.stringify(problemOf(err, status)));
}
