// The subscriber (in-process, real TLS on loopback) against a hostile publisher: a raw HTTPS server
// with a certificate of the cluster CA that trickles, floods, nests deeply, answers 304 at once, or
// keeps serving a publication the pipeline refuses. The subscriber must stay bounded (time, bytes,
// request rate), keep going, report stable codes (never CIBSYNC_INTERNAL), back off while rounds
// fail, show a recovery at once, and leave its CIB byte-identical.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import type { Site } from '../helpers/sites.js';
import {
  type CertFiles,
  httpsRequest,
  makePki,
  makeSites,
  type Pki,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

let pki: Pki;
let a: Site;
let b: Site;
let subTls: CertFiles;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Hostile {
  url: string;
  /** When each request arrived (performance.now()). */
  requests: number[];
  close(): Promise<void>;
}

async function hostilePublisher(handler: Handler): Promise<Hostile> {
  const tls = pki.issue(`hostile-${Math.random().toString(36).slice(2, 8)}`);
  const requests: number[] = [];
  const server: Server = createServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: readFileSync(tls.ca), requestCert: true },
    (req, res) => {
      requests.push(performance.now());
      handler(req, res);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs a subscriber of B against `fake` with `settings`, checks B's CIB is untouched, and cleans up. */
async function against(
  fake: Hostile,
  settings: Record<string, unknown>,
  body: (subscriber: RunningSubscriber) => Promise<void>,
  top: Record<string, unknown> = {},
): Promise<void> {
  const before = b.hash();
  const config = loadConfig(
    writeConfig(b, 'subscriber', {
      ...subscriberConfig(b, subTls, [fake.url], {
        backoffMinMs: 100,
        pollIntervalMs: 1600,
        minRoundIntervalMs: 50,
        ...settings,
      }),
      ...top,
    }),
  );
  const subscriber = await startSubscriber(config, b.pacemaker, silentLogger);
  try {
    await body(subscriber);
    expect(subscriber.status.lastError?.code).not.toBe('CIBSYNC_INTERNAL');
    expect(b.hash()).toBe(before);
  } finally {
    await subscriber.close();
    await fake.close();
  }
}

const publisherCodes = (s: RunningSubscriber) =>
  (s.status.lastError?.details.publishers as { code: string; message: string }[] | undefined) ?? [];

beforeAll(() => {
  pki = makePki();
  subTls = pki.issue('subB');
  ({ a, b } = makeSites());
}, 30_000);

afterAll(() => {
  a?.cleanup();
  b?.cleanup();
});

describe('a hostile publisher', () => {
  it('trickling one byte a second: each fetch ends at the overall deadline, the loop goes on, replicate-now returns', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const fake = await hostilePublisher((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const timer = setInterval(() => res.write(' '), 1000);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    });
    try {
      await against(fake, { requestTimeoutMs: 1500 }, async (subscriber) => {
        await waitFor('two rounds ended by the deadline', () => subscriber.status.consecutiveFailures >= 2, 15_000);
        expect(publisherCodes(subscriber)[0]?.code).toBe('CIBSYNC_FETCH_TIMEOUT');
        expect(publisherCodes(subscriber)[0]?.message).toMatch(/overall deadline/);
        const answer = await httpsRequest(`${subscriber.url}/v1/replicate-now`, subTls, { method: 'POST' });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(JSON.parse(answer.body).code).toBe('CIBSYNC_NO_PUBLISHER');
        expect(answer.body).toMatch(/CIBSYNC_FETCH_TIMEOUT/);
      });
    } finally {
      for (const t of timers) clearInterval(t);
    }
  }, 30_000);

  it('sending a huge body without a length: cut off at the limit, CIBSYNC_FETCH_TOO_LARGE', async () => {
    let written = 0;
    const fake = await hostilePublisher((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        while (written < 256 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    await against(
      fake,
      { requestTimeoutMs: 5000 },
      async (subscriber) => {
        await waitFor('two refused rounds', () => subscriber.status.consecutiveFailures >= 2, 15_000);
        expect(publisherCodes(subscriber)[0]?.code).toBe('CIBSYNC_FETCH_TOO_LARGE');
      },
      { maxPublicationBytes: 1024 * 1024 },
    );
    // Two rounds of 1 MiB each and what the socket buffers held: nowhere near the 256 MiB offered per request.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it('serving deeply nested XML: a stable code, never CIBSYNC_INTERNAL', async () => {
    const deep = `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`;
    const fake = await hostilePublisher((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"deep"' });
      res.end(deep);
    });
    await against(fake, {}, async (subscriber) => {
      await waitFor('a refused round', () => subscriber.status.lastError, 10_000);
      expect(subscriber.status.lastError?.code).toBe('CIBSYNC_XML_TOO_DEEP');
    });
  }, 30_000);

  it('answering 304 at once: the request rate is bounded by minRoundIntervalMs', async () => {
    const fake = await hostilePublisher((_req, res) => {
      res.writeHead(304);
      res.end();
    });
    await against(fake, { minRoundIntervalMs: 100 }, async () => {
      await waitFor('a few rounds', () => fake.requests.length >= 5, 10_000);
      // Counted from the second request: the first one's arrival is late by the TLS handshake of a
      // new connection, which would shorten the window the later rounds are counted in.
      const started = fake.requests[1] as number;
      await new Promise((r) => setTimeout(r, 1500));
      const elapsed = performance.now() - started;
      // Rounds start at least 100 ms apart: at most one per 100 ms since the second (plus the second).
      expect(fake.requests.length - 1).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    });
  }, 30_000);

  it('whose publication the pipeline keeps refusing: the backoff grows round after round', async () => {
    const fake = await hostilePublisher((_req, res) => {
      // Ignores If-None-Match and ?wait=: serves the same refused document every time.
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"refused"' });
      res.end('<not-a-publication/>');
    });
    await against(fake, {}, async (subscriber) => {
      await waitFor('five failed rounds in a row', () => subscriber.status.consecutiveFailures >= 5, 15_000);
      expect(subscriber.status.lastError?.code).toBe('CIBSYNC_PUBLICATION_INVALID');
      // Delays of 100, 200, 400, 800 ms (each at least half of it): the last gap is well over the first.
      const gaps = fake.requests.slice(1, 5).map((t, i) => t - (fake.requests[i] as number));
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(350);
    });
  }, 30_000);

  it('that recovers: status turns from failing to following at once, not after a held request', async () => {
    const fake = await hostilePublisher((req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.searchParams.has('wait')) return; // holds the feed request (a real publisher: up to 25 s)
      if (req.headers['if-none-match']) {
        res.writeHead(304);
        return void res.end();
      }
      // The first answer: a document the pipeline refuses, whose digest the subscriber then waits on.
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"refused"' });
      res.end('<not-a-publication/>');
    });
    await against(fake, { waitMs: 20_000 }, async (subscriber) => {
      await waitFor('a failed round', () => subscriber.status.lastError, 10_000);
      const recovered = await waitFor(
        'recovery',
        () =>
          subscriber.status.state === 'following' && subscriber.status.consecutiveFailures === 0
            ? subscriber.status
            : undefined,
        5000,
      );
      expect(recovered.nextRetryAt).toBeUndefined();
      expect(recovered.lastError?.code).toBe('CIBSYNC_PUBLICATION_INVALID');
    });
  }, 30_000);
});
