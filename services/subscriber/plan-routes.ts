// Manual approval over the subscriber's HTTPS port (docs/operations.md, "Manual approval"): the plans
// as JSON (or the terminal text, or XML), and the decisions on them, recorded under the client
// certificate's subject. `cibsync plan --subscriber URL` is the client.
import type { FastifyInstance } from 'fastify';
import { formatPlanText, planXml } from '../approval/format.js';
import type { PlanStore } from '../approval/index.js';
import { CibsyncError } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { problemErrorHandler } from '../net/problem.js';
import { CONTENT_TYPE, PLAN_QUERY, SUBSCRIBER_ROUTES as ROUTES, XML_BODY_TYPES } from '../wire/index.js';
import type { Applier } from './applier.js';
import { requireDecider } from './decider.js';

export interface PlanRouteDeps {
  applier: Applier;
  store: PlanStore;
  /** subscriber.admins: who may decide (empty: any certificate the server admits). */
  admins: string[];
  /** The largest edited candidate accepted. */
  maxBytes: number;
}

type IdParams = { Params: { id: string } };

/** The optional `revision` of an approval: how many decisions the approver saw (see Applier.approve). */
function revisionOf(body: unknown): number | undefined {
  const revision = (body as { revision?: unknown } | undefined)?.revision;
  if (revision === undefined) return undefined;
  if (!Number.isInteger(revision))
    throw new CibsyncError('CIBSYNC_USAGE', 'revision must be an integer (the number of decisions the approver saw)');
  return revision as number;
}

function reasonOf(body: unknown): string | undefined {
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  if (reason === undefined || reason === '') return undefined;
  if (typeof reason !== 'string') throw new CibsyncError('CIBSYNC_USAGE', 'reason must be a string');
  return reason;
}

export function registerPlanRoutes(app: HttpsApp, deps: PlanRouteDeps): void {
  const { applier, store, admins } = deps;
  // A scope of its own, so that the XML body parser applies to these routes only.
  void app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      XML_BODY_TYPES,
      { parseAs: 'string', bodyLimit: deps.maxBytes },
      (_request, body, done) => done(null, body),
    );
    // Fastify's own refusals (unknown content type, body too large, bad JSON) keep their HTTP status.
    scope.setErrorHandler(problemErrorHandler);

    scope.get(ROUTES.plans.path, async () => store.list());

    scope.get(ROUTES.pendingPlan.path, async (_request, reply) =>
      reply.type(CONTENT_TYPE.json).send(JSON.stringify((await store.pending()) ?? null)),
    );

    scope.get<IdParams & { Querystring: Partial<Record<keyof typeof PLAN_QUERY, string>> }>(
      ROUTES.plan.path,
      async (request, reply) => {
        const record = await store.get(request.params.id);
        const format = request.query[PLAN_QUERY.format] ?? 'json';
        if (format === 'text') return reply.type(CONTENT_TYPE.text).send(formatPlanText(record));
        if (format === 'xml') return reply.type(CONTENT_TYPE.xml).send(planXml(record));
        if (format !== 'json') throw new CibsyncError('CIBSYNC_USAGE', 'format must be json, text or xml');
        return record;
      },
    );

    scope.get<IdParams>(ROUTES.planCandidate.path, async (request, reply) => {
      await store.get(request.params.id);
      return reply.type(CONTENT_TYPE.xml).send(await store.readDocument(request.params.id, 'candidate'));
    });

    scope.post<IdParams>(ROUTES.approvePlan.path, async (request) =>
      applier.approve(request.params.id, requireDecider(request, admins), revisionOf(request.body)),
    );

    scope.post<IdParams>(ROUTES.rejectPlan.path, async (request) =>
      applier.reject(request.params.id, requireDecider(request, admins), reasonOf(request.body)),
    );

    scope.post<IdParams>(ROUTES.editPlan.path, async (request) => {
      const by = requireDecider(request, admins);
      if (typeof request.body !== 'string')
        throw new CibsyncError('CIBSYNC_USAGE', 'send the edited candidate <configuration> as application/xml');
      return applier.edit(request.params.id, request.body, by);
    });
  });
}
