// Every HTTP path the two daemons serve (docs/network.md), written once: the servers register these
// and the clients (the subscriber's fetcher, the CLI, the approval page's forms) build URLs from them.

export interface Route {
  method: 'GET' | 'POST';
  /** As fastify registers it: `:id` stands for a plan id, `:ticket` for a ticket's name. */
  path: string;
}

const health = { method: 'GET', path: '/healthz' } as const;
const metrics = { method: 'GET', path: '/metrics' } as const;
const replicateNow = { method: 'POST', path: '/v1/replicate-now' } as const;

export const PUBLISHER_ROUTES = {
  /** The publication, and the change feed with `?wait=` (FEED_QUERY). */
  publication: { method: 'GET', path: '/v1/publication' },
  /** One ticket's scope (ticket-scoped replication), and its change feed, as `publication`. */
  scopePublication: { method: 'GET', path: '/v1/scopes/:ticket/publication' },
  /** The runtime (transient) node attributes, with their own change feed (`?wait=`, FEED_QUERY). */
  runtime: { method: 'GET', path: '/v1/runtime' },
  replicateNow,
  /** Every site as this publisher sees it: its own, and each subscriber that reports to it (JSON). */
  sites: { method: 'GET', path: '/v1/sites' },
  /** The same as a page (HTML, no script). */
  sitesPage: { method: 'GET', path: '/sites' },
  health,
  metrics,
} as const satisfies Record<string, Route>;

export const SUBSCRIBER_ROUTES = {
  replicateNow,
  status: { method: 'GET', path: '/v1/status' },
  health,
  metrics,
  plans: { method: 'GET', path: '/v1/plans' },
  pendingPlan: { method: 'GET', path: '/v1/plans/pending' },
  /** `?format=json|text|xml` (PLAN_QUERY). */
  plan: { method: 'GET', path: '/v1/plans/:id' },
  planCandidate: { method: 'GET', path: '/v1/plans/:id/candidate' },
  approvePlan: { method: 'POST', path: '/v1/plans/:id/approve' },
  rejectPlan: { method: 'POST', path: '/v1/plans/:id/reject' },
  editPlan: { method: 'POST', path: '/v1/plans/:id/edit' },
  /** The approval page; `?plan=ID` shows that plan (PAGE_QUERY). */
  page: { method: 'GET', path: '/' },
  pageApprove: { method: 'POST', path: '/plans/:id/approve' },
  pageReject: { method: 'POST', path: '/plans/:id/reject' },
  /** Whether this site's replica is ready for it to take the ticket (booth's before-acquire handler asks). */
  readiness: { method: 'GET', path: '/v1/takeover/:ticket/readiness' },
  /** What granting the ticket here would do (docs/takeover.md), with the replica's freshness and the decisions. */
  takeoverPlan: { method: 'GET', path: '/v1/takeover/:ticket/plan' },
  /** Grant the ticket here: JSON `{"plan": DIGEST, "confirm": true}`, both optional. */
  takeoverGrant: { method: 'POST', path: '/v1/takeover/:ticket/grant' },
  /** The page's grant button (form fields `plan`, `confirm`). */
  pageTakeoverGrant: { method: 'POST', path: '/takeover/:ticket/grant' },
} as const satisfies Record<string, Route>;

/** Paths that any certificate of the CA may use, on the allowlist or not (the agents' health check). */
export const ALLOWLIST_EXEMPT = [health.path];

/** The query of the change feed: hold the request while `wait` is the current digest, at most `timeout` ms. */
export const FEED_QUERY = { wait: 'wait', timeout: 'timeout' } as const;
/** The query of a plan: the form of the answer. */
export const PLAN_QUERY = { format: 'format' } as const;
/** The query of the approval page: the plan to show. */
export const PAGE_QUERY = { plan: 'plan' } as const;

/** A route's path for one plan (or ticket): its one parameter (`:id`, `:ticket`) replaced by `id`, encoded. */
export function planPath(route: Route, id: string): string {
  return route.path.replace(/:[a-z]+/, encodeURIComponent(id));
}

/** The approval page showing plan `id` (where a decision redirects). */
export function pageOf(id: string): string {
  return `${SUBSCRIBER_ROUTES.page.path}?${PAGE_QUERY.plan}=${encodeURIComponent(id)}`;
}
