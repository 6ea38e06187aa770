// The subscriber's own endpoints (docs/network.md): replicate-now, status, health and metrics.
import type { FastifyBaseLogger } from 'fastify';
import type { IntakeResult } from '../approval/intake.js';
import { CibsyncError } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { sendProblem } from '../net/problem.js';
import { CONTENT_TYPE, HEADER, problemOf, SUBSCRIBER_ROUTES } from '../wire/index.js';
import type { FollowLoop } from './follow.js';
import type { SubscriberMetrics } from './metrics.js';
import type { PendingPlanSummary, SubscriberStatus } from './status.js';

/** An import's answer without its candidate configuration (too big to send); a plan's as it is. */
function answerOf(result: IntakeResult) {
  if ('approval' in result) return result;
  const { candidate: _candidate, ...answer } = result;
  return answer;
}

/** One scope's loop run now: its answer, logged under its scope. */
async function replicateScope(loop: FollowLoop, log: FastifyBaseLogger) {
  const result = answerOf(await loop.replicateNow());
  log.info(
    { event: 'replicate-now', outcome: result.outcome, digest: result.source.digest },
    `replicate-now: ${result.outcome}`,
  );
  return result;
}

export function registerSubscriberRoutes(
  app: HttpsApp,
  state: {
    loop: FollowLoop;
    /** With ticket-scoped replication: every scope's loop (replicate-now runs them all). */
    scopes?: { ticket: string; loop: FollowLoop }[];
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
    // Scoped: every scope at once, each answering its outcome or its problem (a scope this site
    // holds answers CIBSYNC_LOCAL_HOLDS_TICKET), so one scope's failure hides none of the others.
    if (state.scopes)
      return {
        scopes: await Promise.all(
          state.scopes.map(({ ticket, loop: scopeLoop }) =>
            replicateScope(scopeLoop, request.log.child({ scope: ticket })).then(
              (result) => ({ scope: ticket, result }),
              (err: unknown) => ({ scope: ticket, problem: problemOf(err).problem }),
            ),
          ),
        ),
      };
    try {
      return await replicateScope(loop, request.log);
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
