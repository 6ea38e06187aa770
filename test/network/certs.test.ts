// `cibsync certs`: the real CLI writing a CA and certificates, checked with OpenSSL and Node.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf } from '../../certs/inspect.js';
import { cli, tempDir } from '../helpers/sites.js';

let dir: string;

beforeAll(() => {
  dir = tempDir('cibsync-certs-');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cibsync certs', () => {
  it('creates a CA and issues a certificate with SANs and usages; keys are 0600 and never printed', () => {
    const init = cli(['certs', 'init-ca', '--dir', dir, '--name', 'geo CA']);
    expect(init.code, init.stderr).toBe(0);
    const issue = cli([
      'certs',
      'issue',
      '--dir',
      dir,
      '--name',
      'publisher.siteA',
      '--ip',
      '127.0.0.1',
      '--ip',
      '::1',
      '--dns',
      'pub.siteA.example',
      '--days',
      '30',
    ]);
    expect(issue.code, issue.stderr).toBe(0);
    for (const output of [init.stdout, issue.stdout]) expect(output).not.toContain('PRIVATE KEY');
    for (const key of ['ca.key', 'publisher.siteA.key']) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    expect(
      execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'publisher.siteA.crt')], {
        encoding: 'utf8',
      }),
    ).toContain('OK');
    const x509 = new X509Certificate(readFileSync(join(dir, 'publisher.siteA.crt')));
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('pub.siteA.example')).toBe('pub.siteA.example');
    expect(x509.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });

  it('shows subject, SANs, usages, SHA-256 fingerprint and expiry', () => {
    const show = cli(['certs', 'show', join(dir, 'publisher.siteA.crt')]);
    expect(show.code, show.stderr).toBe(0);
    const x509 = new X509Certificate(readFileSync(join(dir, 'publisher.siteA.crt')));
    expect(show.stdout).toContain('subject:     CN=publisher.siteA');
    expect(show.stdout).toContain('issuer:      CN=geo CA');
    expect(show.stdout).toContain('IP Address:127.0.0.1');
    expect(show.stdout).toContain('DNS:pub.siteA.example');
    expect(show.stdout).toContain('usages:      serverAuth, clientAuth');
    expect(show.stdout).toContain(`sha256:      ${x509.fingerprint256}`);
    expect(show.stdout).toContain(`not after:   ${new Date(x509.validTo).toISOString()}`);
    const json = JSON.parse(cli(['certs', 'show', join(dir, 'ca.crt'), '--output-as=json']).stdout);
    expect(json[0]).toMatchObject({ subject: 'CN=geo CA', isCa: true, expired: false });
  });

  it('issues client-only certificates on request', () => {
    expect(cli(['certs', 'issue', '--dir', dir, '--name', 'operator', '--client']).code).toBe(0);
    expect(new X509Certificate(readFileSync(join(dir, 'operator.crt'))).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('issues operator certificates: client only, marked OU=cibsync-operator; daemon certificates are not', () => {
    const issue = cli(['certs', 'issue', '--dir', dir, '--name', 'alice', '--operator']);
    expect(issue.code, issue.stderr).toBe(0);
    const x509 = new X509Certificate(readFileSync(join(dir, 'alice.crt')));
    expect(x509.subject.split('\n')).toEqual(['OU=cibsync-operator', 'CN=alice']);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(identityOf(x509)).toMatchObject({
      commonName: 'alice',
      subject: 'OU=cibsync-operator, CN=alice',
      operator: true,
    });
    expect(identityOf(new X509Certificate(readFileSync(join(dir, 'publisher.siteA.crt')))).operator).toBe(false);
    const both = cli(['certs', 'issue', '--dir', dir, '--name', 'bob', '--operator', '--both']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--operator certificates are client certificates/);
  });

  it('never overwrites a CA or a key, and rejects a bad --ip', () => {
    const again = cli(['certs', 'init-ca', '--dir', dir]);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain('CIBSYNC_CERT_EXISTS');
    expect(cli(['certs', 'issue', '--dir', dir, '--name', 'operator']).code).toBe(6);
    const bad = cli(['certs', 'issue', '--dir', dir, '--name', 'x', '--ip', 'not-an-ip']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CIBSYNC_USAGE');
  });
});
