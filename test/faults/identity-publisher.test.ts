// Item 5 of issue 14, over the network: a hostile publisher holding a certificate from the cluster's
// own CA (a subscriber's, an operator's, another site's publisher's) serves a publication that claims
// to come from siteA at epoch 100000. The subscriber must refuse it (the signer is not trusted for
// siteA), leave B's CIB byte-identical and record nothing for siteA, so that the real publisher's
// next publication, at a far lower epoch, still applies (no STALE poisoning).
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { lastApplied } from '../../services/state/sources.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import { makeSite, type Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  grant,
  makePki,
  makeSites,
  type Pki,
  publisherConfig,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

const pki: Pki = makePki();
const running: { close(): Promise<void> }[] = [];
const sites: Site[] = [];

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
  for (const s of sites.splice(0)) s.cleanup();
});

async function publisher(site: Site, tls: CertFiles, port = 0): Promise<RunningPublisher> {
  const p = await startPublisher(
    loadConfig(writeConfig(site, `publisher-${port}`, publisherConfig(site, tls, { port }))),
    site.pacemaker,
    silentLogger,
  );
  running.push(p);
  return p;
}

const hostileCertificates: [string, () => CertFiles][] = [
  ['another site’s subscriber certificate', () => pki.issue('subC')],
  ['an operator certificate', () => pki.issue('operator', { usage: 'both', operator: true })],
  ['another site’s publisher certificate', () => pki.issue('pub-siteC')],
];

describe('a hostile publisher with a certificate of the same CA', () => {
  it.each(hostileCertificates)(
    '%s: refused, B unchanged, and the real publisher still applies',
    async (_what, hostileTls) => {
      const { a, b } = makeSites();
      const hostile = makeSite('site-a.xml');
      sites.push(a, b, hostile);
      // A configuration that claims to be siteA's, far ahead of the real one.
      writeFileSync(hostile.cibFile, readFileSync(hostile.cibFile, 'utf8').replace(/ epoch="\d+"/, ' epoch="100000"'));
      grant(hostile);
      changeBatchLimit(hostile, 66);
      changeBatchLimit(a, 33);
      const fake = await publisher(hostile, hostileTls());
      const port = Number(new URL(fake.url).port);

      const config = {
        ...subscriberConfig(b, pki.issue('subB'), [fake.url]),
        trust: { publishers: { siteA: ['pubA'], siteC: ['pub-siteC'] } },
      };
      const subscriber: RunningSubscriber = await startSubscriber(
        loadConfig(writeConfig(b, 'subscriber', config)),
        b.pacemaker,
        silentLogger,
      );
      running.push(subscriber);
      const before = b.hash();
      const refusal = await waitFor('the hostile publication refused', () => subscriber.status.lastError, 15_000, 50);
      expect(refusal).toMatchObject({ code: 'CIBSYNC_PUBLISHER_UNTRUSTED' });
      expect(refusal.message).toMatch(/not trusted to publish for site siteA/);
      expect(b.hash()).toBe(before);
      expect(batchLimitOf(b)).not.toBe('66');
      expect(await lastApplied(b.stateDir, 'siteA')).toBeUndefined();

      // The real publisher answers at the same address.
      await fake.close();
      running.splice(running.indexOf(fake), 1);
      await publisher(a, pki.issue('pubA'), port);
      await waitFor(
        'the real publication applied at B',
        () => subscriber.status.lastApplied?.outcome === 'applied',
        20_000,
        50,
      );
      expect(subscriber.status.lastApplied).toMatchObject({ sourceSite: 'siteA' });
      expect(batchLimitOf(b)).toBe('33');
    },
    60_000,
  );

  it('listed before the real publisher: refused every round, and the real publisher is still asked and applied', async () => {
    const { a, b } = makeSites();
    const hostile = makeSite('site-a.xml');
    sites.push(a, b, hostile);
    grant(hostile);
    grant(a);
    changeBatchLimit(hostile, 66);
    changeBatchLimit(a, 33);
    const fake = await publisher(hostile, pki.issue('subD'));
    const real = await publisher(a, pki.issue('pubA'));
    const config = subscriberConfig(b, pki.issue('subB'), [fake.url, real.url]);
    const subscriber: RunningSubscriber = await startSubscriber(
      loadConfig(writeConfig(b, 'subscriber', config)),
      b.pacemaker,
      silentLogger,
    );
    running.push(subscriber);
    await waitFor(
      'the real publication applied at B',
      () => subscriber.status.lastApplied?.outcome === 'applied',
      20_000,
      50,
    );
    expect(subscriber.status.lastApplied).toMatchObject({ sourceSite: 'siteA' });
    expect(batchLimitOf(b)).toBe('33');
  }, 60_000);
});
