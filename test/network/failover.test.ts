// Several publishers configured at the subscriber: only the one whose site holds the ticket serves;
// the others answer 503 and are skipped. When the ticket moves, the subscriber follows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import { makeSite, type Site } from '../helpers/sites.js';
import {
  grant,
  makePki,
  makeSites,
  publisherConfig,
  revoke,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

let a: Site;
let b: Site;
let c: Site;
let publisherA: RunningPublisher;
let publisherC: RunningPublisher;
let subscriber: RunningSubscriber;

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  c = makeSite('site-a.xml'); // a third site with the same configuration, not holding the ticket
  const start = (site: Site, name: string) =>
    startPublisher(
      loadConfig(writeConfig(site, 'publisher', { ...publisherConfig(site, pki.issue(`pub-${name}`)), site: name })),
      site.pacemaker,
      silentLogger,
    );
  publisherA = await start(a, 'siteA');
  publisherC = await start(c, 'siteC');
  const config = loadConfig(
    writeConfig(b, 'subscriber', {
      ...subscriberConfig(b, pki.issue('subB'), [publisherC.url, publisherA.url]),
      trust: { publishers: { siteA: ['pub-siteA'], siteC: ['pub-siteC'] } },
    }),
  );
  subscriber = await startSubscriber(config, b.pacemaker, silentLogger);
}, 60_000);

afterAll(async () => {
  await subscriber?.close();
  await publisherA?.close();
  await publisherC?.close();
  for (const site of [a, b, c]) site?.cleanup();
});

describe('several publishers', () => {
  it('takes the publication from the one whose site holds the ticket, skipping the others', async () => {
    const applied = await waitFor('an import at B', () => subscriber.status.lastApplied, 15_000, 50);
    expect(applied).toMatchObject({ sourceSite: 'siteA', publisher: publisherA.url });
    expect(
      publisherC.metrics.metrics.value('cibsync_publisher_refusals_total', { reason: 'ticket_not_held' }),
    ).toBeGreaterThanOrEqual(1);
    expect(publisherC.metrics.metrics.value('cibsync_publisher_publications_served_total')).toBe(0);
  });

  it('follows the ticket to another publisher', async () => {
    revoke(a);
    grant(c);
    const applied = await waitFor(
      'an import from site C',
      () => (subscriber.status.lastApplied?.sourceSite === 'siteC' ? subscriber.status.lastApplied : undefined),
      10_000,
      50,
    );
    expect(applied.publisher).toBe(publisherC.url);
    expect(subscriber.status.publisher).toBe(publisherC.url);
  });
});
