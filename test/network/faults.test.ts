// The subscriber (in-process, real TLS) against publishers that fail: down, hanging, sending a
// truncated or an oversized body. B's CIB must stay byte-identical, the error must show in the status
// and the metrics, and the subscriber must retry with backoff (not in a tight loop).

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { buildPublication } from '../../services/publication/build.js';
import { serializePublication } from '../../services/publication/index.js';
import { startSubscriber } from '../../services/subscriber/index.js';
import type { Site } from '../helpers/sites.js';
import { type CertFiles, makePki, makeSites, type Pki, subscriberConfig, waitFor, writeConfig } from './helpers.js';

type Behaviour = 'hang' | 'truncate' | 'oversize';

let pki: Pki;
let a: Site;
let b: Site;
let subTls: CertFiles;
let publication: string;

interface FakePublisher {
  url: string;
  attempts: number[];
  close(): Promise<void>;
}

async function fakePublisher(behaviour: Behaviour): Promise<FakePublisher> {
  const tls = pki.issue(`fake-${behaviour}`);
  const attempts: number[] = [];
  const server: Server = createServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: readFileSync(tls.ca), requestCert: true },
    (req, res) => {
      attempts.push(Date.now());
      if (behaviour === 'hang') return; // accepts the request, never answers
      if (behaviour === 'truncate') {
        res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(publication) });
        res.write(publication.slice(0, publication.length / 2));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      // Oversized, and without a Content-Length: the limit must hold while reading.
      res.writeHead(200, { 'content-type': 'application/xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 8; i += 1) res.write(chunk);
      res.end(publication);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then closed. */
async function downPublisher(): Promise<FakePublisher> {
  const fake = await fakePublisher('hang');
  await fake.close();
  return fake;
}

beforeAll(async () => {
  pki = makePki();
  subTls = pki.issue('subB');
  ({ a, b } = makeSites());
  publication = serializePublication(await buildPublication(a.pacemaker, { site: 'siteA', ticket: 'ticketA' }));
}, 30_000);

afterAll(() => {
  a?.cleanup();
  b?.cleanup();
});

describe('subscriber against failing publishers', () => {
  it.each([
    ['down', downPublisher, 'CIBSYNC_FETCH_FAILED'],
    ['hanging', () => fakePublisher('hang'), 'CIBSYNC_FETCH_TIMEOUT'],
    ['sending a truncated body', () => fakePublisher('truncate'), 'CIBSYNC_FETCH_FAILED'],
    ['sending an oversized body', () => fakePublisher('oversize'), 'CIBSYNC_FETCH_TOO_LARGE'],
  ])(
    'publisher %s: B untouched, error in status and metrics, retried with backoff',
    async (_what, make, code) => {
      const fake = await make();
      const before = b.hash();
      const config = loadConfig(
        writeConfig(b, 'subscriber', {
          ...subscriberConfig(b, subTls, [fake.url], {
            requestTimeoutMs: 300,
            backoffMinMs: 200,
            pollIntervalMs: 1600,
          }),
          maxPublicationBytes: 256 * 1024,
        }),
      );
      const subscriber = await startSubscriber(config, b.pacemaker, silentLogger);
      try {
        const status = await waitFor(
          'three failed rounds',
          () => (subscriber.status.consecutiveFailures >= 3 ? subscriber.status : undefined),
          8000,
          20,
        );
        expect(status.state).toBe('failing');
        expect(status.lastError?.code).toBe('CIBSYNC_NO_PUBLISHER');
        expect(status.lastError?.details.publishers).toEqual([expect.objectContaining({ publisher: fake.url, code })]);
        expect(status.nextRetryAt).toBeDefined();
        expect(
          subscriber.metrics.metrics.value('cibsync_subscriber_errors_total', { code: 'CIBSYNC_NO_PUBLISHER' }),
        ).toBeGreaterThanOrEqual(3);
        expect(
          subscriber.metrics.metrics.value('cibsync_subscriber_fetches_total', { result: 'error' }),
        ).toBeGreaterThanOrEqual(3);
        expect(subscriber.metrics.metrics.value('cibsync_subscriber_retries_total')).toBeGreaterThanOrEqual(2);
        if (fake.attempts.length >= 3) {
          // Backoff with jitter: each pause at least half the doubled delay (100, 200, 400 ms …).
          const gaps = fake.attempts.slice(1).map((t, i) => t - (fake.attempts[i] as number));
          expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
        }
        expect(b.hash()).toBe(before);
      } finally {
        await subscriber.close();
        await fake.close();
      }
    },
    20_000,
  );
});
