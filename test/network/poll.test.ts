// The subscriber's fallback mode (feed: "poll"): no held requests, a conditional GET every
// pollIntervalMs; an unchanged publication is a 304 and never reaches the pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import type { Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  changeBatchLimit,
  makePki,
  makeSites,
  publisherConfig,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

let a: Site;
let b: Site;
let publisher: RunningPublisher;
let subscriber: RunningSubscriber;

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  publisher = await startPublisher(
    loadConfig(writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA')))),
    a.pacemaker,
    silentLogger,
  );
  const config = loadConfig(
    writeConfig(
      b,
      'subscriber',
      subscriberConfig(b, pki.issue('subB'), [publisher.url], { feed: 'poll', pollIntervalMs: 300 }),
    ),
  );
  subscriber = await startSubscriber(config, b.pacemaker, silentLogger);
}, 30_000);

afterAll(async () => {
  await subscriber?.close();
  await publisher?.close();
  a?.cleanup();
  b?.cleanup();
});

describe('subscriber in poll mode', () => {
  it('polls with If-None-Match: 304s while nothing changes, the change applied at the next poll', async () => {
    await waitFor('the first import', () => subscriber.status.lastApplied, 15_000, 50);
    const imports = () =>
      subscriber.metrics.metrics.value('cibsync_subscriber_imports_total', { outcome: 'applied' }) +
      subscriber.metrics.metrics.value('cibsync_subscriber_imports_total', { outcome: 'unchanged' });
    const before = imports();
    await waitFor(
      'three 304s',
      () => (publisher.metrics.metrics.value('cibsync_publisher_not_modified_total') >= 3 ? true : undefined),
      5000,
      50,
    );
    expect(imports()).toBe(before);
    expect(publisher.metrics.metrics.value('cibsync_publisher_subscribers_waiting')).toBe(0);
    changeBatchLimit(a, 55);
    await waitFor('batch-limit 55 at B', () => (batchLimitOf(b) === '55' ? true : undefined), 5000, 20);
  });
});
