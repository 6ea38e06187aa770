// The publisher's endpoints (docs/network.md). GET /v1/publication is also the change feed:
// `?wait=DIGEST` holds the request while DIGEST is still current.
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublisherConfig } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import type { HttpsApp } from '../net/https-app.js';
import { checkAllowed, PeerRefused, verifiedPeer } from '../net/mtls.js';
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
  WAKE_REPLICATE_NOW,
} from '../wire/index.js';
import type { ChangeFeed, WakeReason } from './feed.js';
import type { PublisherMetrics } from './metrics.js';
import type { PublicationSource } from './publication-source.js';
import type { RuntimeSource } from './runtime-source.js';

export interface PublisherState {
  config: PublisherConfig;
  source: PublicationSource;
  /** The runtime attributes' document, its own feed, and the allowlist it is read with. */
  runtime: { source: RuntimeSource; feed: ChangeFeed; names: string[] };
  gate: TicketGate;
  feed: ChangeFeed;
  watcher: CibWatcher;
  metrics: PublisherMetrics;
}

type FeedRequest = FastifyRequest<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>;

/**
 * The change feed's wait: with `?wait=DIGEST`, while this site holds the ticket and DIGEST is still
 * `current()`, the request is held until `feed` wakes it or the timeout; then why it ended
 * ('timeout' when it was not held at all).
 */
async function heldWhileCurrent(
  request: FeedRequest,
  reply: FastifyReply,
  state: Pick<PublisherState, 'config' | 'gate'>,
  feed: ChangeFeed,
  current: () => string | undefined,
): Promise<WakeReason> {
  const wait = request.query[FEED_QUERY.wait];
  if (wait === undefined) return 'timeout';
  await state.gate.check();
  if (!state.gate.last?.held || current() !== wait) return 'timeout';
  const requested = Number(request.query[FEED_QUERY.timeout]);
  const { waitMaxMs } = state.config;
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
  { gate, metrics }: Pick<PublisherState, 'gate' | 'metrics'>,
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
  const { config, source, runtime, gate, feed, metrics } = state;

  app.get<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.publication.path,
    async (request, reply) => {
      const reason = await heldWhileCurrent(request, reply, state, feed, () => source.current?.publication.digest);
      const refused = await refusedUnlessServing(reply, reason, state);
      if (refused) return refused;
      const forced = reason === 'replicate-now';
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

  // The runtime attributes: the same feed protocol on their own document and waiting room, so a tick
  // never answers a configuration request (replicate-now is the configuration's alone).
  app.get<{ Querystring: Partial<Record<keyof typeof FEED_QUERY, string>> }>(
    PUBLISHER_ROUTES.runtime.path,
    async (request, reply) => {
      const reason = await heldWhileCurrent(
        request,
        reply,
        state,
        runtime.feed,
        () => runtime.source.current?.document.digest,
      );
      const refused = await refusedUnlessServing(reply, reason, state);
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

  const { replicateNow } = PUBLISHER_ROUTES;
  app.post(replicateNow.path, async (request, reply) => {
    try {
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

  app.get(PUBLISHER_ROUTES.health.path, async () => {
    const served = source.current;
    const serving = Boolean(gate.last?.held && served);
    return {
      status: 'ok',
      role: 'publisher',
      serving,
      reason: serving
        ? undefined
        : gate.last?.held === false
          ? `ticket ${gate.ticket} not held (${gate.last.reason})`
          : (source.lastError?.code ?? 'starting'),
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
