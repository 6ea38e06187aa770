// The publisher daemon: watches the local CIB, keeps one publication built while this site holds the
// ticket, and serves it (and its change feed) over mutual TLS; keeps what its subscribers report
// (GET /v1/sites), and serves the same routes to local root on its admin socket (publisher.adminSocket).
import { type Config, type PublisherConfig, settingsFor } from '../config/index.js';
import type { Logger } from '../log.js';
import { type AdminSocket, listenAdminSocket } from '../net/admin-socket.js';
import { createHttpsApp, type HttpsApp, listen } from '../net/https-app.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { CibWatcher } from '../watch/cib-watcher.js';
import { TicketGate } from '../watch/ticket-gate.js';
import { TicketWatch } from '../watch/ticket-watch.js';
import { ALLOWLIST_EXEMPT } from '../wire/index.js';
import { ChangeFeed, type WakeReason } from './feed.js';
import { type PublisherMetrics, publisherMetrics } from './metrics.js';
import { PublicationSource, tlsSigner } from './publication-source.js';
import { type PublisherState, registerPublisherRoutes } from './routes.js';
import { SiteTable } from './sites.js';

export interface RunningPublisher {
  app: HttpsApp;
  url: string;
  /** The admin socket's path, unless publisher.adminSocket is empty. */
  adminSocket?: string;
  source: PublicationSource;
  metrics: PublisherMetrics;
  sites: SiteTable;
  close(): Promise<void>;
}

/** The publisher's section and the ticket; refused (CIBSYNC_CONFIG_INVALID) without what the schema marks required for it. */
export function publisherSettings(config: Config): PublisherConfig & { ticket: string } {
  return settingsFor(config, 'publisher');
}

export async function startPublisher(config: Config, pacemaker: Pacemaker, logger: Logger): Promise<RunningPublisher> {
  const settings = publisherSettings(config);
  const gate = new TicketGate(pacemaker, settings.ticket, settings.ticketCacheMs, logger);
  const source = new PublicationSource(
    pacemaker,
    { site: config.site, ticket: settings.ticket },
    gate,
    logger,
    tlsSigner(settings),
  );
  const feed = new ChangeFeed();
  const watcher = new CibWatcher(pacemaker, settings.changePollMs, logger);
  const ticketWatch = new TicketWatch(pacemaker, gate, config.ticketPollMs, logger);
  const sites = new SiteTable(config.trust.publishers, settings.notSeenAfterMs);
  const metrics = publisherMetrics({ source, feed, gate, watcher, sites });
  const app = createHttpsApp({
    tls: settings,
    logger,
    allowlistExempt: ALLOWLIST_EXEMPT,
    onRefused: (reason) => metrics.refused({ reason }),
  });
  const state: PublisherState = { config: settings, source, gate, feed, watcher, metrics, sites, site: config.site };
  registerPublisherRoutes(app, state);

  const release = (reason: WakeReason) => {
    const woken = feed.wake(reason);
    if (woken > 0) metrics.woken({ cause: reason }, woken);
  };
  source.on('published', (served) => {
    sites.published(served.publication);
    release('published');
  });
  gate.on('change', (verdict) => {
    if (verdict.held) source.onTicketGained();
    release('ticket-changed');
  });
  let reaction: Promise<void> = Promise.resolve();
  watcher.on('change', (change) => {
    reaction = source.onCibChange(change);
  });
  // The admin socket first: a live daemon's socket refuses this start before anything else runs.
  await app.ready();
  const admin: AdminSocket | undefined = settings.adminSocket
    ? await listenAdminSocket(app, settings.adminSocket, settings.adminGroup, 'publisher.adminSocket')
    : undefined;
  await watcher.start();
  await reaction;
  ticketWatch.start();

  const url = await listen(app, settings.listen, settings.port).catch(async (err: unknown) => {
    watcher.stop();
    ticketWatch.stop();
    await admin?.close();
    throw err;
  });
  logger.info(
    { event: 'listening', url, adminSocket: admin?.path, ticket: settings.ticket, cib: pacemaker.describe() },
    `publisher listening on ${url}${admin ? ` and ${admin.path}` : ''}`,
  );
  return {
    app,
    url,
    adminSocket: admin?.path,
    source,
    metrics,
    sites,
    async close() {
      watcher.stop();
      ticketWatch.stop();
      feed.close();
      await admin?.close();
      await app.close();
    },
  };
}
