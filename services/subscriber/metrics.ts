// The subscriber's Prometheus series (docs/network.md lists them).
import { Metrics } from '../net/metrics.js';
import type { SubscriberStatus } from './status.js';

export function subscriberMetrics(status: SubscriberStatus) {
  const metrics = new Metrics();
  const fetches = metrics.counter(
    'cibsync_subscriber_fetches_total',
    'Requests to publishers, by result (200, 304, refused, error).',
  );
  const imports = metrics.counter(
    'cibsync_subscriber_imports_total',
    'Publications run through the import pipeline, by outcome (applied, unchanged, refused).',
  );
  const errors = metrics.counter('cibsync_subscriber_errors_total', 'Failures, by error code.');
  const retries = metrics.counter('cibsync_subscriber_retries_total', 'Rounds started after a failure (with backoff).');
  const refused = metrics.counter(
    'cibsync_subscriber_refusals_total',
    'Requests to this subscriber refused, by reason.',
  );
  // With ticket-scoped replication each scope's status is a series of its own, labelled with its scope.
  const perStatus = (name: string, help: string, read: (s: SubscriberStatus) => number) =>
    status.scope === undefined
      ? metrics.gauge(name, help, () => read(status))
      : metrics.gauges(name, help, () =>
          [status, ...status.siblings].map((s) => ({ labels: { scope: s.scope ?? '' }, value: read(s) })),
        );
  perStatus(
    'cibsync_subscriber_consecutive_failures',
    'Failed rounds since the last round that succeeded (the backoff grows with it).',
    (s) => s.consecutiveFailures,
  );
  perStatus('cibsync_subscriber_idle', '1 while this site holds the ticket (the subscriber applies nothing).', (s) =>
    s.state === 'idle' ? 1 : 0,
  );
  perStatus(
    'cibsync_subscriber_on_hold',
    '1 while replication is on hold (cibsync hold, or a rollback): nothing is applied until cibsync resume.',
    (s) => (s.hold ? 1 : 0),
  );
  perStatus(
    'cibsync_subscriber_source_epoch',
    'epoch of the last applied publication.',
    (s) => s.lastApplied?.sourceEpoch ?? 0,
  );
  perStatus(
    'cibsync_subscriber_last_applied_timestamp_seconds',
    'When the last publication was committed (or found unchanged).',
    (s) => (s.lastApplied ? Date.parse(s.lastApplied.at) / 1000 : 0),
  );
  perStatus(
    'cibsync_subscriber_lag_seconds',
    'Seconds from the build of the last applied publication at its source to its commit here.',
    (s) => s.lagSeconds ?? 0,
  );
  const runtimeWrites = metrics.counter(
    'cibsync_subscriber_runtime_writes_total',
    'Runtime (transient) node attributes set or deleted here: at most one per attribute per runtimeAttributes.minIntervalMs.',
  );
  return { metrics, fetches, imports, errors, retries, refused, runtimeWrites };
}

export type SubscriberMetrics = ReturnType<typeof subscriberMetrics>;
