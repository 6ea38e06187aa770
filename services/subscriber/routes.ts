// The subscriber's own endpoints (docs/network.md): replicate-now, status, health and metrics.
import type { FastifyReply } from 'fastify';
import type { IntakeResult } from '../approval/intake.js';
import { CibsyncError, asCibsyncError, type ErrorCode } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { sendProblem } from '../net/problem.js';
import type { FollowLoop } from './follow.js';
import type { SubscriberMetrics } from './metrics.js';
import type { PendingPlanSummary, SubscriberStatus } from './status.js';

/** The HTTP status that carries an error of each category back to the caller. */
export function httpStatusFor(code: ErrorCode): number {
  if (code === 'CIBSYNC_INTERNAL') return 500;
  if (code === 'CIBSYNC_PLAN_NOT_FOUND') return 404;
  if (code === 'CIBSYNC_TLS_NOT_ALLOWED' || code === 'CIBSYNC_CROSS_ORIGIN') return 403;
  if (code === 'CIBSYNC_PLAN_NOT_PENDING' || code === 'CIBSYNC_PLAN_CHANGED') return 409;
  if (code === 'CIBSYNC_LOCAL_HOLDS_TICKET' || code === 'CIBSYNC_ON_HOLD' || code === 'CIBSYNC_CIB_CHANGED' || code === 'CIBSYNC_LOCK_TIMEOUT') return 409;
  if (code === 'CIBSYNC_NO_PUBLISHER' || code.startsWith('CIBSYNC_FETCH_')) return 502;
  if (code === 'CIBSYNC_SHUTTING_DOWN') return 503;
  return 422;
}

/** Answers an error as problem+json with the HTTP status of its category. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const error = asCibsyncError(err);
  return sendProblem(reply, httpStatusFor(error.code), error);
}

/** An import's answer without its candidate configuration (too big to send); a plan's as it is. */
function answerOf(result: IntakeResult) {
  if ('approval' in result) return result;
  const { candidate: _candidate, ...answer } = result;
  return answer;
}

export function registerSubscriberRoutes(
  app: HttpsApp,
  state: { loop: FollowLoop; status: SubscriberStatus; metrics: SubscriberMetrics; stopping: () => boolean; pendingPlan: () => Promise<PendingPlanSummary | undefined> },
): void {
  const { loop, status, metrics } = state;

  app.post('/v1/replicate-now', async (request, reply) => {
    if (state.stopping()) return sendProblem(reply, 503, new CibsyncError('CIBSYNC_SHUTTING_DOWN', 'the subscriber is stopping'));
    try {
      const result = answerOf(await loop.replicateNow());
      request.log.info({ event: 'replicate-now', outcome: result.outcome, digest: result.source.digest }, `replicate-now: ${result.outcome}`);
      return result;
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/v1/status', async () => status.snapshot(await state.pendingPlan()));

  app.get('/healthz', async () => ({ status: 'ok', role: 'subscriber', state: status.state, idleReason: status.idleReason, lastError: status.lastError?.code }));

  app.get('/metrics', async (_request, reply) => reply.header('content-type', 'text/plain; version=0.0.4').send(metrics.metrics.render()));
}
