// Serves the page (GET /) and takes its two form posts. Same certificate checks as the API (the
// server refuses a request without a client certificate before any route runs); a decision redirects
// to the decided plan (303), so reloading the result never decides again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PlanRecord, PlanStore } from '../approval/index.js';
import { asCibsyncError, CibsyncError, ERRORS } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { PAGE_HEADERS } from '../net/page-style.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import { CONTENT_TYPE, HEADER, PAGE_QUERY, pageOf, SUBSCRIBER_ROUTES as ROUTES } from '../wire/index.js';
import type { Applier } from './applier.js';
import { deciderName, mayDecide, requireDecider } from './decider.js';
import { type PageView, renderPage } from './page.js';
import { pendingPlanSummary, type SubscriberStatus } from './status.js';
import type { TakeoverDesk } from './takeover.js';

export interface PageDeps {
  applier: Applier;
  store: PlanStore;
  status: SubscriberStatus;
  gate: TicketGate;
  takeover: TakeoverDesk;
  admins: string[];
}

const RECENT_PLANS = 8;

type IdParams = { Params: { id: string }; Body: Record<string, string> | undefined };

export function registerPageRoutes(app: HttpsApp, deps: PageDeps): void {
  const { applier, store, status, gate, takeover, admins } = deps;

  async function sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    planId: string | undefined,
    refused?: unknown,
  ): Promise<FastifyReply> {
    const plans = await store.list();
    const pending = plans.find((p) => p.status === 'pending');
    const asked = planId === undefined ? pending : plans.find((p) => p.id === planId);
    const plan: PlanRecord | undefined = asked ?? pending;
    const error =
      refused !== undefined
        ? asCibsyncError(refused)
        : asked
          ? undefined
          : planId !== undefined
            ? new CibsyncError('CIBSYNC_PLAN_NOT_FOUND', `no plan ${planId}`)
            : undefined;
    const view: PageView = {
      status: status.snapshot(pending && pendingPlanSummary(pending)),
      ticket: gate.ticket,
      localTicket: gate.last,
      plan,
      recent: plans.slice(0, RECENT_PLANS),
      viewer: { name: deciderName(request), mayDecide: mayDecide(request, admins) },
      // The page still shows the rest when the takeover plan cannot be computed (its error is in the log).
      takeover: await takeover.view(gate.ticket).catch(() => undefined),
      refusal: error && { code: error.code, message: error.message },
      now: new Date(),
    };
    return reply
      .code(error ? ERRORS[error.code].http : 200)
      .header(HEADER.contentType, CONTENT_TYPE.html)
      .headers(PAGE_HEADERS)
      .header(HEADER.cacheControl, 'no-store')
      .send(renderPage(view));
  }

  // A scope of its own, so that form bodies are parsed on these routes only.
  void app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(CONTENT_TYPE.form, { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get<{ Querystring: Partial<Record<keyof typeof PAGE_QUERY, string>> }>(
      ROUTES.page.path,
      async (request, reply) => sendPage(request, reply, request.query[PAGE_QUERY.plan]),
    );

    scope.post<IdParams>(ROUTES.pageApprove.path, async (request, reply) => {
      const { id } = request.params;
      try {
        const revision = request.body?.revision;
        await applier.approve(
          id,
          requireDecider(request, admins),
          revision === undefined ? undefined : Number(revision),
        );
      } catch (err) {
        return sendPage(request, reply, id, err);
      }
      return reply.redirect(pageOf(id), 303);
    });

    scope.post<{ Params: { ticket: string }; Body: Record<string, string> | undefined }>(
      ROUTES.pageTakeoverGrant.path,
      async (request, reply) => {
        try {
          await takeover.grant(request.params.ticket, requireDecider(request, admins), {
            ...(request.body?.plan ? { seenDigest: request.body.plan } : {}),
            confirm: request.body?.confirm === 'yes',
          });
        } catch (err) {
          return sendPage(request, reply, undefined, err);
        }
        return reply.redirect(`${ROUTES.page.path}#takeover`, 303);
      },
    );

    scope.post<IdParams>(ROUTES.pageReject.path, async (request, reply) => {
      const { id } = request.params;
      try {
        await applier.reject(id, requireDecider(request, admins), request.body?.reason?.trim() || undefined);
      } catch (err) {
        return sendPage(request, reply, id, err);
      }
      return reply.redirect(pageOf(id), 303);
    });
  });
}
