// The publisher's Prometheus series (docs/network.md lists them).
import { Metrics } from '../net/metrics.js';
import type { CibWatcher } from '../watch/cib-watcher.js';
import type { TicketGate } from '../watch/ticket-gate.js';
import type { ChangeFeed } from './feed.js';
import type { PublicationSource } from './publication-source.js';

export function publisherMetrics(state: {
  source: PublicationSource;
  feed: ChangeFeed;
  gate: TicketGate;
  watcher: CibWatcher;
}) {
  const metrics = new Metrics();
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
  return { metrics, served, notModified, refused, woken };
}

export type PublisherMetrics = ReturnType<typeof publisherMetrics>;
