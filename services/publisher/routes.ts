// The publisher's endpoints (docs/network.md). GET /v1/publication is also the change feed:
// `?wait=DIGEST` holds the request while DIGEST is still current. With ticket-scoped replication,
// GET /v1/scopes/:ticket/publication is each ticket's scope, with its own ETag and change feed, and
// /v1/publication the default one's (`ticket`'s, or the first listed ticket's).
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublisherConfig } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { localAdminOf } from '../net/admin-socket.js';
import type { HttpsApp } from '../net/https-app.js';
import { checkAllowed, PeerRefused, peerOf, verifiedPeer } from '../net/mtls.js';
import { PAGE_HEADERS } from '../net/page-style.js';
import { sendProblem } from '../net/problem.js';
import type { CibWatcher } from '../watch/cib-watcher.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import {
  CONTENT_TYPE,
  etagMatches,
  FEED_QUERY,
  HEADER,
  NOT_SERVING_STATUS,
  PUBLISHER_ROUTES,
  parseReport,
  WAKE_REPLICATE_NOW,
} from '../wire/index.js';
import type { ChangeFeed, WakeReason } from './feed.js';
import type { PublisherMetrics } from './metrics.js';
import type { PublicationSource } from './publication-source.js';
import type { RuntimeSource } from './runtime-source.js';
import type { OwnSite, SitesView, SiteTable } from './sites.js';
import { renderSitesPage } from './sites-page.js';

/** One publication served: a ticket's (its scope, when scoped), its gate and its change feed. */
export interface PublicationChannel {
  ticket: string;
  scoped: boolean;
  gate: TicketGate;
  source: PublicationSource;
  feed: ChangeFeed;
  /** What the subscribers of this publication report (GET /v1/sites). */
  sites: SiteTable;
}

export interface PublisherState {
  config: PublisherConfig;
  channels: PublicationChannel[];
  /** The channel /v1/publication serves. */
  main: PublicationChannel;
  /** The runtime attributes' document, its own feed, and the allowlist it is read with (the default channel's ticket). */
  runtime: { source: RuntimeSource; feed: ChangeFeed; names: string[] };
  watcher: CibWatcher;
  metrics: PublisherMetrics;
  site: string | undefined;
}

/** The publisher's own site as GET /v1/sites shows it (its name: the setting, else the one its publication carries: the cluster name). */
function ownSite({ main, site }: PublisherState): OwnSite {
  const { gate, source } = main;
  const error = source.lastError;
  return {
    site: site ?? source.current?.publication.site,
    ticket: gate.ticket,
    held: gate.last?.held === true,
    notServing: healthOf(main).reason,
    served: gate.last?.held ? source.current?.publication : undefined,
    lastError: error && { code: error.code, message: error.message },
  };
}

/** Every site: the default channel's view, with every ticket held here and every channel's subscribers. */
function sitesView(state: PublisherState): SitesView {
  const view = state.main.sites.view(ownSite(state));
  if (!state.main.scoped) return view;
  return {
    ...view,
    publisher: { ...view.publisher, tickets: state.channels.filter((c) => c.gate.last?.held).map((c) => c.ticket) },
    subscribers: state.channels.flatMap((c) => (c === state.main ? view.subscribers : c.sites.subscribers())),
  };
}

type FeedRequest = FastifyRequest<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>;

/**
 * The change feed's wait: with `?wait=DIGEST`, while this site holds `gate`'s ticket and DIGEST is
 * still `current()`, the request is held until `feed` wakes it or the timeout; then why it ended
 * ('timeout' when it was not held at all).
 */
async function heldWhileCurrent(
  request: FeedRequest,
  reply: FastifyReply,
  config: PublisherConfig,
  gate: TicketGate,
  feed: ChangeFeed,
  current: () => string | undefined,
): Promise<WakeReason> {
  const wait = request.query[FEED_QUERY.wait];
  if (wait === undefined) return 'timeout';
  await gate.check();
  if (!gate.last?.held || current() !== wait) return 'timeout';
  const requested = Number(request.query[FEED_QUERY.timeout]);
  const { waitMaxMs } = config;
  const timeoutMs = Number.isFinite(requested) && requested > 0 ? Math.min(requested, waitMaxMs) : waitMaxMs;
  const gone = new AbortController();
  request.raw.once('close', () => gone.abort());
  reply.raw.once('close', () => gone.abort());
  return feed.wait(timeoutMs, gone.signal);
}

/** The answer to a request that ended its wait: undefined to go on and serve, else the reply sent. */
async function refusedUnlessServing(
  reply: FastifyReply,
  reason: WakeReason,
  gate: TicketGate,
  metrics: PublisherMetrics,
): Promise<FastifyReply | undefined> {
  if (reason === 'gone') return reply;
  if (reason === 'closing')
    return sendProblem(reply, new CibsyncError('CIBSYNC_SHUTTING_DOWN', 'the publisher is stopping'));
  const verdict = await gate.check();
  if (verdict.held) return undefined;
  metrics.refused({ reason: 'ticket_not_held' });
  return sendProblem(
    reply,
    new CibsyncError(
      'CIBSYNC_TICKET_NOT_HELD',
      `this site does not hold ticket ${gate.ticket} (${verdict.reason}): nothing is served`,
      { ticket: gate.ticket, reason: verdict.reason },
    ),
  );
}

export function registerPublisherRoutes(app: HttpsApp, state: PublisherState): void {
  const { config, channels, main, runtime, metrics } = state;
  app.get<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.publication.path,
    (request, reply) => serve(main, request, reply),
  );

  app.get<{ Params: { ticket: string }; Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.scopePublication.path,
    (request, reply) => {
      const channel = channels.find((c) => c.scoped && c.ticket === request.params.ticket);
      if (channel) return serve(channel, request, reply);
      metrics.refused({ reason: 'scope_not_served' });
      return sendProblem(
        reply,
        new CibsyncError(
          'CIBSYNC_SCOPE_NOT_SERVED',
          `this publisher serves no scope of ticket ${request.params.ticket.slice(0, 80)} (it serves ${
            channels
              .filter((c) => c.scoped)
              .map((c) => c.ticket)
              .join(', ') || 'the whole configuration only'
          })`,
          { ticket: request.params.ticket },
        ),
        NOT_SERVING_STATUS,
      );
    },
  );

  // The runtime attributes: the same feed protocol on their own document and waiting room, so a tick
  // never answers a configuration request (replicate-now is the configuration's alone).
  app.get<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.runtime.path,
    async (request, reply) => {
      const reason = await heldWhileCurrent(
        request,
        reply,
        config,
        main.gate,
        runtime.feed,
        () => runtime.source.current?.document.digest,
      );
      const refused = await refusedUnlessServing(reply, reason, main.gate, metrics);
      if (refused) return refused;
      const served = runtime.source.current;
      if (!served)
        return sendProblem(
          reply,
          new CibsyncError(
            'CIBSYNC_RUNTIME_NOT_PUBLISHED',
            runtime.names.length === 0
              ? 'this publisher publishes no runtime attributes (runtimeAttributes.names is empty)'
              : 'the runtime attributes have not been read yet',
          ),
          NOT_SERVING_STATUS,
        );
      reply.header(HEADER.etag, served.etag).header(HEADER.cacheControl, 'no-cache');
      if (etagMatches(request.headers[HEADER.ifNoneMatch], served.etag)) return reply.code(304).send();
      return reply.code(200).header(HEADER.contentType, CONTENT_TYPE.publication).send(served.body);
    },
  );

  async function serve(channel: PublicationChannel, request: FeedRequest, reply: FastifyReply) {
    const { source, gate, feed } = channel;
    // A subscriber's report (never an operator's fetch, which sends none): known by its certificate.
    const report = request.headers[HEADER.report];
    if (report !== undefined && localAdminOf(request) === undefined)
      reply.raw.once('close', channel.sites.seen(peerOf(request), parseReport(report)));
    const labels: Record<string, string> = channel.scoped ? { scope: channel.ticket } : {};
    const reason = await heldWhileCurrent(request, reply, config, gate, feed, () => source.current?.publication.digest);
    const refused = await refusedUnlessServing(reply, reason, gate, metrics);
    if (refused) return refused;
    const forced = reason === 'replicate-now';
    const served = source.current;
    if (!served) {
      metrics.refused({ reason: 'no_publication' });
      const why = source.lastError ?? new CibsyncError('CIBSYNC_TICKET_NOT_HELD', 'no publication has been built yet');
      return sendProblem(reply, why, NOT_SERVING_STATUS);
    }
    reply.header(HEADER.etag, served.etag).header(HEADER.cacheControl, 'no-cache');
    if (!forced && etagMatches(request.headers[HEADER.ifNoneMatch], served.etag)) {
      metrics.notModified(labels);
      return reply.code(304).send();
    }
    metrics.served(labels);
    if (forced) reply.header(HEADER.wake, WAKE_REPLICATE_NOW);
    return reply.code(200).header(HEADER.contentType, CONTENT_TYPE.publication).send(served.body);
  }

  const { replicateNow } = PUBLISHER_ROUTES;
  app.post(replicateNow.path, async (request, reply) => {
    try {
      // Root on this host (the admin socket) may; over TLS, the allowlist says.
      if (localAdminOf(request) === undefined)
        checkAllowed(
          verifiedPeer(request.raw.socket as TLSSocket),
          config.replicateNowAllow,
          `${replicateNow.method} ${replicateNow.path}`,
        );
    } catch (err) {
      if (!(err instanceof PeerRefused)) throw err;
      metrics.refused({ reason: err.reason });
      request.log.warn({ event: 'client-refused', code: err.code, ...err.details }, err.message);
      return sendProblem(reply, err);
    }
    // Pick up a change the watcher has not seen yet, so the woken subscribers get the latest.
    await state.watcher.check();
    const woken = channels.reduce((n, c) => n + c.feed.wake('replicate-now'), 0);
    metrics.woken({ cause: 'replicate-now' }, woken);
    request.log.info({ event: 'replicate-now', woken }, `replicate-now: ${woken} waiting subscribers woken`);
    return {
      woken,
      digest: main.source.current?.publication.digest ?? null,
      ...(main.scoped ? { scopes: Object.fromEntries(channels.map((c) => [c.ticket, digestOf(c)])) } : {}),
    };
  });

  app.get(PUBLISHER_ROUTES.sites.path, async () => sitesView(state));

  app.get(PUBLISHER_ROUTES.sitesPage.path, async (_request, reply) =>
    reply
      .header(HEADER.contentType, CONTENT_TYPE.html)
      .headers(PAGE_HEADERS)
      .header(HEADER.cacheControl, 'no-store')
      .send(renderSitesPage(sitesView(state))),
  );

  app.get(PUBLISHER_ROUTES.health.path, async () => ({
    status: 'ok',
    role: 'publisher',
    ...healthOf(main),
    ...(main.scoped ? { scopes: Object.fromEntries(channels.map((c) => [c.ticket, healthOf(c)])) } : {}),
  }));

  app.get(PUBLISHER_ROUTES.metrics.path, async (_request, reply) =>
    reply.header(HEADER.contentType, CONTENT_TYPE.metrics).send(metrics.metrics.render()),
  );
}

const digestOf = (c: PublicationChannel) => c.source.current?.publication.digest ?? null;

/** Whether a channel serves, and what. */
function healthOf({ source, gate, feed }: PublicationChannel) {
  const served = source.current;
  const serving = Boolean(gate.last?.held && served);
  return {
    serving,
    reason: serving
      ? undefined
      : gate.last?.held === false
        ? `ticket ${gate.ticket} not held (${gate.last.reason})`
        : (source.lastError?.code ?? 'starting'),
    digest: served?.publication.digest,
    carries: served?.publication.scopes,
    adminEpoch: served?.publication.adminEpoch,
    epoch: served?.publication.epoch,
    waiting: feed.waiting,
  };
}
