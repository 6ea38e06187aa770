// The publisher daemon: watches the local CIB, keeps one publication built while this site holds the
// ticket, and serves it (and its change feed) over mutual TLS. With ticket-scoped replication
// (scopes.tickets) it keeps one channel per listed ticket: the scope's publication, its own ticket
// gate and its own change feed, served while this site holds that ticket. Keeps what its subscribers
// report (GET /v1/sites), and serves the same routes to local root on its admin socket
// (publisher.adminSocket).
import { type Config, type PublisherConfig, scopePlan, settingsFor } from '../config/index.js';
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
import { type PublicationChannel, registerPublisherRoutes } from './routes.js';
import { RuntimeSource } from './runtime-source.js';
import { scopedBuild } from './scope.js';
import { SiteTable } from './sites.js';

export interface RunningPublisher {
  app: HttpsApp;
  url: string;
  /** The default channel's source (`ticket`'s, or the first listed ticket's). */
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
  const plan = scopePlan(config);
  const signer = tlsSigner(settings);
  const channels: PublicationChannel[] = plan.tickets.map((ticket) => {
    const build = plan.scoped ? scopedBuild(config, plan, ticket) : { ticket, scope: undefined };
    const log = plan.scoped ? logger.child({ scope: build.scope?.names.join('+') }) : logger;
    const gate = new TicketGate(pacemaker, ticket, settings.ticketCacheMs, log);
    const source = new PublicationSource(pacemaker, { site: config.site, ...build }, gate, log, signer);
    const sites = new SiteTable(config.trust.publishers, settings.notSeenAfterMs);
    return { ticket, scoped: plan.scoped, gate, source, feed: new ChangeFeed(), sites };
  });
  const main = channels.find((c) => c.ticket === config.ticket) ?? (channels[0] as PublicationChannel);
  // The runtime attributes: their own document and waiting room, signed for the publication's site,
  // served with the default channel's ticket.
  const runtime = {
    source: new RuntimeSource(
      pacemaker,
      { site: () => main.source.current?.publication.site, ticket: main.ticket },
      config.runtimeAttributes,
      main.gate,
      logger,
      signer,
    ),
    feed: new ChangeFeed(),
    names: config.runtimeAttributes.names,
  };
  const watcher = new CibWatcher(pacemaker, settings.changePollMs, logger);
  const ticketWatch = new TicketWatch(
    pacemaker,
    channels.map((c) => c.gate),
    config.ticketPollMs,
    logger,
  );
  const metrics = publisherMetrics(channels, main, watcher);
  const app = createHttpsApp({
    tls: settings,
    logger,
    allowlistExempt: ALLOWLIST_EXEMPT,
    onRefused: (reason) => metrics.refused({ reason }),
  });
  registerPublisherRoutes(app, { config: settings, channels, main, runtime, watcher, metrics, site: config.site });

  // Each channel wakes its own subscribers only: a change in one scope is no news to the others.
  for (const { source, gate, feed, ticket, sites } of channels) {
    const release = (reason: WakeReason) => {
      const woken = feed.wake(reason);
      if (woken > 0) metrics.woken(plan.scoped ? { cause: reason, scope: ticket } : { cause: reason }, woken);
    };
    source.on('published', (served) => {
      sites.published(served.publication);
      release('published');
    });
    gate.on('change', (verdict) => {
      if (verdict.held) source.onTicketGained();
      release('ticket-changed');
    });
  }
  // The first publication names the site the runtime document is signed for.
  main.source.on('published', () => runtime.source.poke());
  runtime.source.on('published', () => runtime.feed.wake('published'));
  main.gate.on('change', () => {
    runtime.feed.wake('ticket-changed');
    runtime.source.poke();
  });
  let reaction: Promise<unknown> = Promise.resolve();
  watcher.on('change', (change) => {
    reaction = Promise.all(channels.map((c) => c.source.onCibChange(change)));
    runtime.source.poke();
  });
  // The admin socket first: a live daemon's socket refuses this start before anything else runs.
  await app.ready();
  const admin: AdminSocket | undefined = settings.adminSocket
    ? await listenAdminSocket(app, settings.adminSocket, settings.adminGroup, 'publisher.adminSocket')
    : undefined;
  await watcher.start();
  await reaction;
  ticketWatch.start();
  runtime.source.start();

  const url = await listen(app, settings.listen, settings.port).catch(async (err: unknown) => {
    watcher.stop();
    ticketWatch.stop();
    await admin?.close();
    throw err;
  });
  logger.info(
    {
      event: 'listening',
      url,
      adminSocket: admin?.path,
      ticket: plan.tickets.join(' '),
      scoped: plan.scoped,
      cib: pacemaker.describe(),
    },
    `publisher listening on ${url}${admin ? ` and ${admin.path}` : ''}`,
  );
  return {
    app,
    url,
    adminSocket: admin?.path,
    source: main.source,
    metrics,
    sites: main.sites,
    async close() {
      watcher.stop();
      ticketWatch.stop();
      await runtime.source.stop();
      for (const c of channels) c.feed.close();
      runtime.feed.close();
      await admin?.close();
      await app.close();
    },
  };
}
