// The subscriber's own endpoints (docs/network.md): replicate-now, status, health and metrics.
import type { IntakeResult } from '../approval/intake.js';
import { CibsyncError } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { sendProblem } from '../net/problem.js';
import { CONTENT_TYPE, HEADER, SUBSCRIBER_ROUTES } from '../wire/index.js';
import type { FollowLoop } from './follow.js';
import type { SubscriberMetrics } from './metrics.js';
import type { PendingPlanSummary, SubscriberStatus } from './status.js';

/** An import's answer without its candidate configuration (too big to send); a plan's as it is. */
function answerOf(result: IntakeResult) {
  if ('approval' in result) return result;
  const { candidate: _candidate, ...answer } = result;
  return answer;
}

export function registerSubscriberRoutes(
  app: HttpsApp,
  state: {
    loop: FollowLoop;
    status: SubscriberStatus;
    metrics: SubscriberMetrics;
    stopping: () => boolean;
    pendingPlan: () => Promise<PendingPlanSummary | undefined>;
  },
): void {
  const { loop, status, metrics } = state;

  app.post(SUBSCRIBER_ROUTES.replicateNow.path, async (request, reply) => {
    if (state.stopping())
      return sendProblem(reply, new CibsyncError('CIBSYNC_SHUTTING_DOWN', 'the subscriber is stopping'));
    try {
      const result = answerOf(await loop.replicateNow());
      request.log.info(
        { event: 'replicate-now', outcome: result.outcome, digest: result.source.digest },
        `replicate-now: ${result.outcome}`,
      );
      return result;
    } catch (err) {
      return sendProblem(reply, err);
    }
  });

  app.get(SUBSCRIBER_ROUTES.status.path, async () => status.snapshot(await state.pendingPlan()));

  app.get(SUBSCRIBER_ROUTES.health.path, async () => ({
    status: 'ok',
    role: 'subscriber',
    state: status.state,
    idleReason: status.idleReason,
    lastError: status.lastError?.code,
  }));

  app.get(SUBSCRIBER_ROUTES.metrics.path, async (_request, reply) =>
    reply.header(HEADER.contentType, CONTENT_TYPE.metrics).send(metrics.metrics.render()),
  );
}
