// A subscriber whose publisher stopped serving asks again at least every retryMaxMs, however long
// it has been failing (the backoff no longer grows to pollIntervalMs), and takes the publisher that
// serves again; a publisher address that never completes a handshake costs connectTimeoutMs, not
// requestTimeoutMs. Real TLS on loopback, file-backed CIBs.

import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { type Logger, silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import type { Site } from '../helpers/sites.js';
import {
  grant,
  makePki,
  makeSites,
  type Pki,
  publisherConfig,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

/** A logger whose lines are kept, to read the subscriber's round-failed events. */
function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

let pki: Pki;
let a: Site;
let b: Site;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  pki = makePki();
  ({ a, b } = makeSites(false)); // site A does not hold the ticket yet: its publisher answers 503
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  a?.cleanup();
  b?.cleanup();
});

describe('retrying publishers', () => {
  let publisher: RunningPublisher;
  let subscriber: RunningSubscriber;
  const { logger, lines } = recordingLogger();
  const failures = () => lines.filter((l) => l.event === 'round-failed');

  it('retries at least every retryMaxMs while its publisher refuses, with the default 30 s poll interval', async () => {
    publisher = await startPublisher(
      loadConfig(writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA')))),
      a.pacemaker,
      silentLogger,
    );
    closers.push(() => publisher.close());
    const config = subscriberConfig(b, pki.issue('subB'), [publisher.url], {
      pollIntervalMs: 30_000,
      backoffMinMs: 100,
      retryMaxMs: 1_000,
    });
    subscriber = await startSubscriber(loadConfig(writeConfig(b, 'subscriber', config)), b.pacemaker, logger);
    closers.push(() => subscriber.close());
    // 100 ms doubling passes 1 s at the 5th failure and 30 s at the 10th: eight failures show the cap.
    await waitFor('eight failed rounds', () => failures().length >= 8, 60_000, 50);
    const delays = failures().map((l) => l.retryInMs as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    expect(failures().every((l) => String(l.err).includes('CIBSYNC_TICKET_NOT_HELD'))).toBe(true);
  });

  it('takes the publisher as soon as it serves', async () => {
    grant(a);
    const applied = await waitFor('an import from A', () => subscriber.status.lastApplied, 30_000, 50);
    expect(applied).toMatchObject({ sourceSite: 'siteA', publisher: publisher.url });
  });
});

describe('a publisher address that never answers the handshake', () => {
  let silent: Server;
  const sockets: Socket[] = [];

  it('fails the round after connectTimeoutMs, naming the connect timeout, although requestTimeoutMs is a minute', async () => {
    silent = createServer((socket) => void sockets.push(socket)); // accepts, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as { port: number };
    const config = subscriberConfig(b, pki.issue('subB2'), [`https://127.0.0.1:${port}`], {
      requestTimeoutMs: 60_000,
      waitMs: 60_000,
      connectTimeoutMs: 300,
      port: 0,
      adminSocket: join(b.dir, 'subscriber-silent.sock'), // the first test's subscriber may still hold the default one
    });
    const subscriber = await startSubscriber(
      loadConfig(writeConfig(b, 'subscriber-silent', config)),
      b.pacemaker,
      silentLogger,
    );
    closers.push(() => subscriber.close());
    const error = await waitFor('a failed round', () => subscriber.status.lastError, 20_000, 50);
    expect(error.code).toBe('CIBSYNC_NO_PUBLISHER');
    const [reason] = (error.details as { publishers: { code: string; message: string }[] }).publishers;
    expect(reason?.code).toBe('CIBSYNC_FETCH_TIMEOUT');
    expect(reason?.message).toContain('connect timeout');
  });
});
