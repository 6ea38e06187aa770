// The subscriber's own endpoints (docs/network.md): replicate-now, status, health and metrics.
import { CibsyncError, asCibsyncError, type ErrorCode } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { sendProblem } from '../net/problem.js';
import type { FollowLoop } from './follow.js';
import type { SubscriberMetrics } from './metrics.js';
import type { SubscriberStatus } from './status.js';

/** The HTTP status that carries an error of each category back to the caller. */
function httpStatusFor(code: ErrorCode): number {
  if (code === 'CIBSYNC_LOCAL_HOLDS_TICKET' || code === 'CIBSYNC_CIB_CHANGED' || code === 'CIBSYNC_LOCK_TIMEOUT') return 409;
  if (code === 'CIBSYNC_NO_PUBLISHER' || code.startsWith('CIBSYNC_FETCH_')) return 502;
  if (code === 'CIBSYNC_SHUTTING_DOWN') return 503;
  return 422;
}

export function registerSubscriberRoutes(app: HttpsApp, state: { loop: FollowLoop; status: SubscriberStatus; metrics: SubscriberMetrics; stopping: () => boolean }): void {
  const { loop, status, metrics } = state;

  app.post('/v1/replicate-now', async (request, reply) => {
    if (state.stopping()) return sendProblem(reply, 503, new CibsyncError('CIBSYNC_SHUTTING_DOWN', 'the subscriber is stopping'));
    try {
      const { candidate: _candidate, ...result } = await loop.replicateNow();
      request.log.info({ event: 'replicate-now', outcome: result.outcome, digest: result.source.digest }, `replicate-now: ${result.outcome}`);
      return result;
    } catch (err) {
      const error = asCibsyncError(err);
      return sendProblem(reply, error.code === 'CIBSYNC_INTERNAL' ? 500 : httpStatusFor(error.code), error);
    }
  });

  app.get('/v1/status', async () => status.snapshot());

  app.get('/healthz', async () => ({ status: 'ok', role: 'subscriber', state: status.state, idleReason: status.idleReason, lastError: status.lastError?.code }));

  app.get('/metrics', async (_request, reply) => reply.header('content-type', 'text/plain; version=0.0.4').send(metrics.metrics.render()));
}
