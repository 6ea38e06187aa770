// The publisher daemon: watches the local CIB, keeps one publication built while this site holds the
// ticket, and serves it (and its change feed) over mutual TLS.
import { type Config, type PublisherConfig, settingsFor } from '../config/index.js';
import type { Logger } from '../log.js';
import { createHttpsApp, type HttpsApp, listen } from '../net/https-app.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { CibWatcher } from '../watch/cib-watcher.js';
import { TicketGate } from '../watch/ticket-gate.js';
import { TicketWatch } from '../watch/ticket-watch.js';
import { ALLOWLIST_EXEMPT } from '../wire/index.js';
import { ChangeFeed, type WakeReason } from './feed.js';
import { type PublisherMetrics, publisherMetrics } from './metrics.js';
import { PublicationSource, tlsSigner } from './publication-source.js';
import { registerPublisherRoutes } from './routes.js';
import { RuntimeSource } from './runtime-source.js';

export interface RunningPublisher {
  app: HttpsApp;
  url: string;
  source: PublicationSource;
  metrics: PublisherMetrics;
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
  // The runtime attributes: their own document and waiting room, signed for the publication's site.
  const runtime = {
    source: new RuntimeSource(
      pacemaker,
      { site: () => source.current?.publication.site, ticket: settings.ticket },
      config.runtimeAttributes,
      gate,
      logger,
      tlsSigner(settings),
    ),
    feed: new ChangeFeed(),
    names: config.runtimeAttributes.names,
  };
  const watcher = new CibWatcher(pacemaker, settings.changePollMs, logger);
  const ticketWatch = new TicketWatch(pacemaker, gate, config.ticketPollMs, logger);
  const metrics = publisherMetrics({ source, feed, gate, watcher });
  const app = createHttpsApp({
    tls: settings,
    logger,
    allowlistExempt: ALLOWLIST_EXEMPT,
    onRefused: (reason) => metrics.refused({ reason }),
  });
  registerPublisherRoutes(app, { config: settings, source, runtime, gate, feed, watcher, metrics });

  const release = (reason: WakeReason) => {
    const woken = feed.wake(reason);
    if (woken > 0) metrics.woken({ cause: reason }, woken);
  };
  source.on('published', () => {
    release('published');
    runtime.source.poke(); // the first publication names the site the runtime document is signed for
  });
  runtime.source.on('published', () => runtime.feed.wake('published'));
  gate.on('change', (verdict) => {
    if (verdict.held) source.onTicketGained();
    release('ticket-changed');
    runtime.feed.wake('ticket-changed');
    runtime.source.poke();
  });
  let reaction: Promise<void> = Promise.resolve();
  watcher.on('change', (change) => {
    reaction = source.onCibChange(change);
    runtime.source.poke();
  });
  await watcher.start();
  await reaction;
  ticketWatch.start();
  runtime.source.start();

  const url = await listen(app, settings.listen, settings.port);
  logger.info(
    { event: 'listening', url, ticket: settings.ticket, cib: pacemaker.describe() },
    `publisher listening on ${url}`,
  );
  return {
    app,
    url,
    source,
    metrics,
    async close() {
      watcher.stop();
      ticketWatch.stop();
      await runtime.source.stop();
      feed.close();
      runtime.feed.close();
      await app.close();
    },
  };
}
