// The publisher's endpoints (docs/network.md). GET /v1/publication is also the change feed:
// `?wait=DIGEST` holds the request while DIGEST is still current.
import type { TLSSocket } from 'node:tls';
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
import type { ChangeFeed } from './feed.js';
import type { PublisherMetrics } from './metrics.js';
import type { PublicationSource } from './publication-source.js';
import type { OwnSite, SiteTable } from './sites.js';
import { renderSitesPage } from './sites-page.js';

export interface PublisherState {
  config: PublisherConfig;
  source: PublicationSource;
  gate: TicketGate;
  feed: ChangeFeed;
  watcher: CibWatcher;
  metrics: PublisherMetrics;
  sites: SiteTable;
  site: string | undefined;
}

/** Why this site serves nothing now, or undefined while it serves. */
function notServing(state: PublisherState): string | undefined {
  const { gate, source } = state;
  if (gate.last?.held && source.current) return undefined;
  return gate.last?.held === false
    ? `ticket ${gate.ticket} not held (${gate.last.reason})`
    : (source.lastError?.code ?? 'starting');
}

/** The publisher's own site as GET /v1/sites shows it (its name: the setting, else the one its publication carries: the cluster name). */
function ownSite(state: PublisherState): OwnSite {
  const { gate, source } = state;
  const error = source.lastError;
  return {
    site: state.site ?? source.current?.publication.site,
    ticket: gate.ticket,
    held: gate.last?.held === true,
    notServing: notServing(state),
    served: gate.last?.held ? source.current?.publication : undefined,
    lastError: error && { code: error.code, message: error.message },
  };
}

export function registerPublisherRoutes(app: HttpsApp, state: PublisherState): void {
  const { config, source, gate, feed, metrics, sites } = state;

  app.get<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.publication.path,
    async (request, reply) => {
      // A subscriber's report (never an operator's fetch, which sends none): known by its certificate.
      const report = request.headers[HEADER.report];
      if (report !== undefined && localAdminOf(request) === undefined)
        reply.raw.once('close', sites.seen(peerOf(request), parseReport(report)));
      let forced = false;
      const wait = request.query[FEED_QUERY.wait];
      if (wait !== undefined) {
        await gate.check();
        if (gate.last?.held && source.current?.publication.digest === wait) {
          const requested = Number(request.query[FEED_QUERY.timeout]);
          const timeoutMs =
            Number.isFinite(requested) && requested > 0 ? Math.min(requested, config.waitMaxMs) : config.waitMaxMs;
          const gone = new AbortController();
          request.raw.once('close', () => gone.abort());
          reply.raw.once('close', () => gone.abort());
          const reason = await feed.wait(timeoutMs, gone.signal);
          if (reason === 'gone') return reply;
          if (reason === 'closing')
            return sendProblem(reply, new CibsyncError('CIBSYNC_SHUTTING_DOWN', 'the publisher is stopping'));
          forced = reason === 'replicate-now';
        }
      }
      const verdict = await gate.check();
      if (!verdict.held) {
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
      const served = source.current;
      if (!served) {
        metrics.refused({ reason: 'no_publication' });
        const why =
          source.lastError ?? new CibsyncError('CIBSYNC_TICKET_NOT_HELD', 'no publication has been built yet');
        return sendProblem(reply, why, NOT_SERVING_STATUS);
      }
      reply.header(HEADER.etag, served.etag).header(HEADER.cacheControl, 'no-cache');
      if (!forced && etagMatches(request.headers[HEADER.ifNoneMatch], served.etag)) {
        metrics.notModified();
        return reply.code(304).send();
      }
      metrics.served();
      if (forced) reply.header(HEADER.wake, WAKE_REPLICATE_NOW);
      return reply.code(200).header(HEADER.contentType, CONTENT_TYPE.publication).send(served.body);
    },
  );

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
    const woken = feed.wake('replicate-now');
    metrics.woken({ cause: 'replicate-now' }, woken);
    request.log.info({ event: 'replicate-now', woken }, `replicate-now: ${woken} waiting subscribers woken`);
    return { woken, digest: source.current?.publication.digest ?? null };
  });

  app.get(PUBLISHER_ROUTES.sites.path, async () => sites.view(ownSite(state)));

  app.get(PUBLISHER_ROUTES.sitesPage.path, async (_request, reply) =>
    reply
      .header(HEADER.contentType, CONTENT_TYPE.html)
      .headers(PAGE_HEADERS)
      .header(HEADER.cacheControl, 'no-store')
      .send(renderSitesPage(sites.view(ownSite(state)))),
  );

  app.get(PUBLISHER_ROUTES.health.path, async () => {
    const served = source.current;
    const reason = notServing(state);
    return {
      status: 'ok',
      role: 'publisher',
      serving: reason === undefined,
      reason,
      digest: served?.publication.digest,
      adminEpoch: served?.publication.adminEpoch,
      epoch: served?.publication.epoch,
      waiting: feed.waiting,
    };
  });

  app.get(PUBLISHER_ROUTES.metrics.path, async (_request, reply) =>
    reply.header(HEADER.contentType, CONTENT_TYPE.metrics).send(metrics.metrics.render()),
  );
}
