// The publisher's Prometheus series (docs/network.md lists them).
import { Metrics } from '../net/metrics.js';
import type { CibWatcher } from '../watch/cib-watcher.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import type { ChangeFeed } from './feed.js';
import type { PublicationSource } from './publication-source.js';
import { type SiteTable, VERDICTS } from './sites.js';

/** What the series read of one channel (services/publisher/routes.ts: PublicationChannel). */
interface ChannelView {
  ticket: string;
  scoped: boolean;
  source: PublicationSource;
  feed: ChangeFeed;
  gate: TicketGate;
  sites: SiteTable;
}

/** The publication series are the default channel's (`main`); the per-site series, every channel's (by scope when scoped). */
export function publisherMetrics(channels: ChannelView[], main: ChannelView, watcher: CibWatcher) {
  const state = { source: main.source, feed: main.feed, gate: main.gate, watcher };
  const metrics = new Metrics();
  // Only while this site holds the channel's ticket: a standby's publisher keeps what its subscribers
  // told it before the ticket moved, and its "not seen" would raise every alert after a move.
  const followers = () =>
    channels.flatMap((c) =>
      c.gate.last?.held
        ? c.sites.subscribers().map((s) => {
            const labels: Record<string, string> = c.scoped ? { site: s.site, scope: c.ticket } : { site: s.site };
            return { s, labels };
          })
        : [],
    );
  const perSite = (value: (s: ReturnType<SiteTable['subscribers']>[number]) => number) => () =>
    followers().map(({ s, labels }) => ({ labels, value: value(s) }));
  metrics.gauge(
    'cibsync_publisher_publications_built_total',
    'Publications built from the CIB (one per configuration change).',
    () => state.source.builds,
    'counter',
  );
  const served = metrics.counter(
    'cibsync_publisher_publications_served_total',
    'Responses carrying the publication (200).',
  );
  const notModified = metrics.counter(
    'cibsync_publisher_not_modified_total',
    'Responses 304: the subscriber already had the current publication.',
  );
  const refused = metrics.counter('cibsync_publisher_refusals_total', 'Requests refused, by reason.');
  const woken = metrics.counter('cibsync_publisher_feed_wakeups_total', 'Waiting subscribers released, by cause.');
  metrics.gauge(
    'cibsync_publisher_subscribers_waiting',
    'Change-feed requests currently held open.',
    () => state.feed.waiting,
  );
  metrics.gauge(
    'cibsync_publisher_source_epoch',
    'epoch of the publication being served (0 when none).',
    () => state.source.current?.publication.epoch ?? 0,
  );
  metrics.gauge(
    'cibsync_publisher_source_admin_epoch',
    'admin_epoch of the publication being served.',
    () => state.source.current?.publication.adminEpoch ?? 0,
  );
  metrics.gauge('cibsync_publisher_ticket_held', '1 while this site holds the ticket.', () =>
    state.gate.last?.held ? 1 : 0,
  );
  metrics.gauge(
    'cibsync_publisher_cib_checks_total',
    'CIB version queries run by the change watcher.',
    () => state.watcher.checks,
    'counter',
  );
  metrics.gauges(
    'cibsync_site_lag_seconds',
    'Per subscriber site: 0 when it holds the publication served; else seconds since the first publication it lacks was published here.',
    perSite((s) => s.lagSeconds ?? 0),
  );
  metrics.gauges(
    'cibsync_site_last_success_timestamp_seconds',
    'Per subscriber site: the last time it was seen holding the publication served (0: never).',
    perSite((s) => (s.lastSuccessAt ? Date.parse(s.lastSuccessAt) / 1000 : 0)),
  );
  metrics.gauges(
    'cibsync_site_seen_age_seconds',
    'Per subscriber site: seconds since its last request ended (0 while one is held open).',
    perSite((s) => s.seenAgeSeconds),
  );
  metrics.gauges(
    'cibsync_site_verdict',
    'Per subscriber site, 1 for its verdict (current, behind, failing, not-seen, unknown) and 0 for the others.',
    () =>
      followers().flatMap(({ s, labels }) =>
        VERDICTS.map((verdict) => ({ labels: { ...labels, verdict }, value: s.verdict === verdict ? 1 : 0 })),
      ),
  );
  return { metrics, served, notModified, refused, woken };
}

export type PublisherMetrics = ReturnType<typeof publisherMetrics>;
