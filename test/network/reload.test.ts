// Certificate reload on SIGHUP in a real publisher process: a broken set (a key that does not match
// the certificate, as between copying the two files) is refused and the daemon keeps its current
// certificate; the complete new set is picked up by the next SIGHUP.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../helpers/sites.js';
import {
  type CertFiles,
  type Daemon,
  makePki,
  makeSites,
  type Pki,
  publisherConfig,
  serverFingerprint,
  startDaemon,
  waitFor,
  writeConfig,
} from './helpers.js';

let pki: Pki;
let a: Site;
let publisher: Daemon;
let client: CertFiles;
let served: CertFiles;

const fingerprintOf = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

beforeAll(async () => {
  pki = makePki();
  client = pki.issue('subB');
  served = pki.issue('pubA');
  ({ a } = makeSites());
  // File polling far beyond the test: only SIGHUP can trigger a reload here.
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, served, { certCheckMs: 600_000 })),
    a.cibFile,
  );
}, 30_000);

afterAll(async () => {
  await publisher?.stop();
  a?.cleanup();
});

describe('certificate reload on SIGHUP', () => {
  it('keeps the current certificate when the new set is broken, and takes the new one when it is whole', async () => {
    const original = fingerprintOf(served.cert);
    expect(await serverFingerprint(publisher.url, client)).toBe(original);
    const renewed = pki.issue('pubA-renewed');

    copyFileSync(renewed.cert, served.cert); // the key is still the old one
    publisher.child.kill('SIGHUP');
    const failure = await waitFor('the refused reload', () =>
      publisher.logs.find((l) => l.event === 'tls-reload-failed'),
    );
    expect(failure).toMatchObject({ trigger: 'SIGHUP', code: 'CIBSYNC_TLS_FILES_INVALID' });
    expect(await serverFingerprint(publisher.url, client)).toBe(original);

    copyFileSync(renewed.key, served.key);
    publisher.child.kill('SIGHUP');
    await waitFor('the reload', () => publisher.logs.find((l) => l.event === 'tls-reloaded'));
    expect(await serverFingerprint(publisher.url, client)).toBe(fingerprintOf(renewed.cert));
    expect(publisher.child.exitCode).toBeNull();
  });
});
