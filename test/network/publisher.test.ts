// The publisher as an in-process server on 127.0.0.1 over real TLS, against a file-backed CIB.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import type { Site } from '../helpers/sites.js';
import {
  type CertFiles,
  changeBatchLimit,
  grant,
  httpsRequest,
  makePki,
  makeSites,
  metricValue,
  type Pki,
  publisherConfig,
  revoke,
  serverFingerprint,
  waitFor,
  writeConfig,
} from './helpers.js';

let pki: Pki;
let a: Site;
let publisher: RunningPublisher;
let subscriber: CertFiles;
let pubFiles: CertFiles;

async function get(
  path: string,
  tls: Partial<CertFiles> & { ca: string } = subscriber,
  headers: Record<string, string> = {},
) {
  return httpsRequest(`${publisher.url}${path}`, tls, { headers });
}

async function metric(series: string): Promise<number> {
  return metricValue((await get('/metrics')).body, series);
}

beforeAll(async () => {
  pki = makePki();
  subscriber = pki.issue('subB');
  pubFiles = pki.issue('pubA');
  ({ a } = makeSites());
  const config = loadConfig(
    writeConfig(
      a,
      'publisher',
      publisherConfig(a, pubFiles, { allow: ['subB', 'operator'], replicateNowAllow: ['operator'], waitMaxMs: 3000 }),
    ),
  );
  publisher = await startPublisher(config, a.pacemaker, silentLogger);
}, 30_000);

afterAll(async () => {
  await publisher?.close();
  a?.cleanup();
});

describe('publisher', () => {
  it('serves the publication with its digest as ETag, and 304 for If-None-Match, building it once', async () => {
    const first = await get('/v1/publication');
    expect(first.status).toBe(200);
    const digest = /digest="([0-9a-f]{64})"/.exec(first.body)?.[1];
    expect(digest).toBeDefined();
    expect(first.headers.etag).toBe(`"${digest}"`);
    expect(first.body).toContain('site="siteA"');
    const built = await metric('cibsync_publisher_publications_built_total');
    for (let i = 0; i < 5; i += 1) expect((await get('/v1/publication')).body).toBe(first.body);
    const again = await get('/v1/publication', subscriber, { 'if-none-match': `"${digest}"` });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(await metric('cibsync_publisher_publications_built_total')).toBe(built);
    expect(await metric('cibsync_publisher_not_modified_total')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['no client certificate', () => ({ ca: pki.ca }), 'CIBSYNC_TLS_CLIENT_REFUSED', 'no_client_certificate'],
    [
      'a certificate from another CA',
      () => pki.issue('intruder', { byOtherCa: true }),
      'CIBSYNC_TLS_CLIENT_REFUSED',
      'unknown_ca',
    ],
    ['a certificate not on the allowlist', () => pki.issue('stranger'), 'CIBSYNC_TLS_NOT_ALLOWED', 'not_allowed'],
    [
      'an expired certificate',
      () => pki.issue('expired', { notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 }),
      'CIBSYNC_TLS_CLIENT_REFUSED',
      'certificate_expired',
    ],
  ])('refuses %s with 403 and serves nothing', async (_what, tls, code, reason) => {
    const served = await metric('cibsync_publisher_publications_served_total');
    const answer = await get('/v1/publication', tls());
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('cibsync-publication');
    expect(JSON.parse(answer.body)).toMatchObject({ code, reason });
    expect(await metric(`cibsync_publisher_refusals_total{reason="${reason}"}`)).toBeGreaterThanOrEqual(1);
    expect(await metric('cibsync_publisher_publications_served_total')).toBe(served);
  });

  it('answers /healthz to any certificate from the CA, allowlisted or not', async () => {
    const answer = await get('/healthz', pki.issue('monitor'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', serving: true });
  });

  it('serves no runtime attributes with an empty runtimeAttributes.names (the default)', async () => {
    const r = await get('/v1/runtime');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'CIBSYNC_RUNTIME_NOT_PUBLISHED' });
  });

  it('stops serving within 1 s of losing the ticket (503 naming the reason), and serves again once it is back', async () => {
    revoke(a);
    const revokedAt = Date.now();
    const refused = await waitFor(
      'a 503',
      async () => {
        const r = await get('/v1/publication');
        return r.status === 503 ? r : undefined;
      },
      1000,
      10,
    );
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(refused.body).not.toContain('cibsync-publication');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'CIBSYNC_TICKET_NOT_HELD', ticket: 'ticketA' });
    expect(await metric('cibsync_publisher_refusals_total{reason="ticket_not_held"}')).toBeGreaterThanOrEqual(1);
    grant(a);
    await waitFor(
      'serving again',
      async () => ((await get('/v1/publication')).status === 200 ? true : undefined),
      2000,
    );
  });

  it('holds a change-feed request and answers it with the new publication within 1 s of a change', async () => {
    const { headers } = await get('/v1/publication');
    const digest = String(headers.etag).replace(/"/g, '');
    const waiting = get(`/v1/publication?wait=${digest}`, subscriber, { 'if-none-match': `"${digest}"` });
    await waitFor('the request to wait', async () =>
      (await metric('cibsync_publisher_subscribers_waiting')) === 1 ? true : undefined,
    );
    const changedAt = Date.now();
    changeBatchLimit(a, 41);
    const answer = await waiting;
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).not.toBe(`"${digest}"`);
    expect(answer.body).toContain('value="41"');
  });

  it('stops counting a waiting subscriber that goes away', async () => {
    const { headers } = await get('/v1/publication');
    const digest = String(headers.etag).replace(/"/g, '');
    const agent = new Agent({
      connect: { ca: readFileSync(pki.ca), cert: readFileSync(subscriber.cert), key: readFileSync(subscriber.key) },
    });
    const gone = new AbortController();
    const waiting = request(`${publisher.url}/v1/publication?wait=${digest}`, {
      dispatcher: agent,
      signal: gone.signal,
    }).catch(() => 'aborted');
    await waitFor('the request to wait', async () =>
      (await metric('cibsync_publisher_subscribers_waiting')) === 1 ? true : undefined,
    );
    gone.abort();
    await agent.destroy();
    expect(await waiting).toBe('aborted');
    await waitFor(
      'the waiter to be dropped',
      async () => ((await metric('cibsync_publisher_subscribers_waiting')) === 0 ? true : undefined),
      2000,
    );
  });

  it('recovers from a CIB file caught half written: the rest of the write triggers a rebuild', async () => {
    // The same change cibadmin would make, prepared on a copy, then written to A's file in two halves.
    const copy = join(a.dir, 'next.xml');
    copyFileSync(a.cibFile, copy);
    execFileSync(
      'cibadmin',
      ['--modify', '--xml-text', '<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="43"/>'],
      { env: { ...process.env, CIB_file: copy } },
    );
    const next = readFileSync(copy, 'utf8');
    writeFileSync(a.cibFile, next.slice(0, next.length / 2));
    await new Promise((r) => setTimeout(r, 400));
    writeFileSync(a.cibFile, next);
    const served = await waitFor(
      'the whole new publication',
      async () => {
        const r = await get('/v1/publication');
        return r.body.includes('value="43"') ? r.body : undefined;
      },
      3000,
      50,
    );
    expect(served).toContain('id="vip-db"'); // from the second half of the file
  });

  it('answers a change-feed request 304 when nothing changes before its timeout', async () => {
    const { headers } = await get('/v1/publication');
    const digest = String(headers.etag).replace(/"/g, '');
    const started = Date.now();
    const answer = await get(`/v1/publication?wait=${digest}&timeout=300`, subscriber, {
      'if-none-match': `"${digest}"`,
    });
    expect(answer.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('replicate-now wakes every waiting subscriber at once, for authorised clients only', async () => {
    const operator = pki.issue('operator');
    const { headers } = await get('/v1/publication');
    const digest = String(headers.etag).replace(/"/g, '');
    const waiting = [1, 2, 3].map(() =>
      get(`/v1/publication?wait=${digest}`, subscriber, { 'if-none-match': `"${digest}"` }),
    );
    await waitFor('three waiting', async () =>
      (await metric('cibsync_publisher_subscribers_waiting')) === 3 ? true : undefined,
    );
    const denied = await httpsRequest(`${publisher.url}/v1/replicate-now`, subscriber, { method: 'POST' });
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).code).toBe('CIBSYNC_TLS_NOT_ALLOWED');
    const woken = await httpsRequest(`${publisher.url}/v1/replicate-now`, operator, { method: 'POST' });
    expect(woken.status).toBe(200);
    expect(JSON.parse(woken.body)).toMatchObject({ woken: 3, digest });
    for (const answer of await Promise.all(waiting)) {
      expect(answer.status).toBe(200);
      expect(answer.headers['cibsync-wake']).toBe('replicate-now');
    }
  });

  it('reloads its certificate when the files change, without dropping a held request', async () => {
    const fingerprint = () => serverFingerprint(publisher.url, subscriber);
    const before = await fingerprint();
    expect(before).toBe(new X509Certificate(readFileSync(pubFiles.cert)).fingerprint256);
    const { headers } = await get('/v1/publication');
    const digest = String(headers.etag).replace(/"/g, '');
    const waiting = get(`/v1/publication?wait=${digest}`, subscriber, { 'if-none-match': `"${digest}"` });
    const renewed = pki.issue('pubA-renewed');
    copyFileSync(renewed.key, pubFiles.key);
    copyFileSync(renewed.cert, pubFiles.cert);
    const after = await waitFor(
      'the new certificate',
      async () => {
        const now = await fingerprint();
        return now !== before ? now : undefined;
      },
      5000,
      100,
    );
    expect(after).toBe(new X509Certificate(readFileSync(renewed.cert)).fingerprint256);
    changeBatchLimit(a, 42);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('value="42"');
  });
});
