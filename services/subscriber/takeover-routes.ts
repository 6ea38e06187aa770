// The takeover API (docs/takeover.md): the plan of a ticket, served from what the desk computed ahead
// of time, and the grant, behind the same client-certificate and admin rules as plan approval.
import type { FastifyInstance } from 'fastify';
import { CibsyncError } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { problemErrorHandler } from '../net/problem.js';
import { SUBSCRIBER_ROUTES as ROUTES } from '../wire/index.js';
import { requireDecider } from './decider.js';
import type { TakeoverDesk } from './takeover.js';

type TicketParams = { Params: { ticket: string } };

/** The grant's JSON body: the digest of the plan the client saw, and whether it confirms an out-of-date plan. */
export function grantOptions(body: unknown): { seenDigest?: string; confirm: boolean } {
  const { plan, confirm } = (body ?? {}) as { plan?: unknown; confirm?: unknown };
  if (plan !== undefined && (typeof plan !== 'string' || !/^[0-9a-f]{8,64}$/.test(plan)))
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      'plan must be the digest of the takeover plan shown (its first 8 or more hex characters)',
    );
  if (confirm !== undefined && typeof confirm !== 'boolean')
    throw new CibsyncError('CIBSYNC_USAGE', 'confirm must be true or false');
  return { ...(plan ? { seenDigest: plan } : {}), confirm: confirm === true };
}

export function registerTakeoverRoutes(app: HttpsApp, deps: { desk: TakeoverDesk; admins: string[] }): void {
  const { desk, admins } = deps;
  void app.register(async (scope: FastifyInstance) => {
    scope.setErrorHandler(problemErrorHandler);

    scope.get<TicketParams>(ROUTES.takeoverPlan.path, async (request) => desk.view(request.params.ticket));

    scope.post<TicketParams>(ROUTES.takeoverGrant.path, async (request) =>
      desk.grant(request.params.ticket, requireDecider(request, admins), grantOptions(request.body)),
    );
  });
}
