// Item 5 of issue 14, by hand: `cibsync import` of a publication file checks who signed it. A signed
// file carried by hand applies; an altered or forged signature, a signer the CA did not issue, one
// not trusted for the claimed site, an expired signer and an unsigned file (unless allowed) are
// refused with their own codes, leaving B's CIB byte-identical.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../certs/authority.js';
import { digestOf } from '../../services/publication/index.js';
import { parseXml, serialize } from '../../services/xml/index.js';
import { exportFrom, importAt, TEST_TRANSFORMS, useSitesAB } from '../helpers/import.js';
import { issueSigner, SIGNER_NAME, type SignerFiles, signingArgs, trustSettings } from '../helpers/signing.js';
import { cli } from '../helpers/sites.js';

const sites = useSitesAB();

function refused(file: string, code: string, message: RegExp, extra: string[] = []): void {
  const before = sites.b.hash();
  const r = importAt(sites.b, file, 'identity.xsl', extra);
  expect(r.stderr).toContain(`cibsync: ${code}:`);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(3);
  expect(sites.b.hash()).toBe(before);
}

function rewrite(file: string, edit: (text: string) => string): string {
  const out = join(sites.a.dir, `edited-${Math.random().toString(16).slice(2)}.xml`);
  writeFileSync(out, edit(readFileSync(file, 'utf8')));
  return out;
}

const attribute = (text: string, name: string) => new RegExp(` ${name}="([^"]*)"`).exec(text)?.[1] ?? '';

describe('a signed publication carried by hand', () => {
  it('is format 2, names its signer, and applies at a site that trusts the signer for siteA', async () => {
    const file = exportFrom(sites.a);
    const text = readFileSync(file, 'utf8');
    expect(attribute(text, 'format')).toBe('2');
    expect(attribute(text, 'signature')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(attribute(text, 'signer')).toMatch(/^MII/); // base64 DER of an X.509 certificate
    const r = importAt(sites.b, file);
    expect(r.code, r.stderr).toBe(0);
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'cpu-weight')).toBe('4');
  });
});

describe('refused, B unchanged', () => {
  it('an altered signature', () => {
    const file = rewrite(exportFrom(sites.a), (text) => {
      const sig = attribute(text, 'signature');
      const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      return text.replace(`signature="${sig}"`, `signature="${flipped}"`);
    });
    refused(file, 'CIBSYNC_SIGNATURE_INVALID', /does not match the digest/);
  });

  it('altered content whose digest was recomputed (the signature does not follow)', () => {
    const file = rewrite(exportFrom(sites.a), (text) => {
      const root = parseXml(text.replace('value="192.0.2.20"', 'value="192.0.2.99"'));
      root.attrs.digest = digestOf(root);
      return serialize(root);
    });
    refused(file, 'CIBSYNC_SIGNATURE_INVALID', /does not match the digest/);
  });

  it('a signature by another key under the trusted signer’s certificate', () => {
    const trusted = readFileSync(exportFrom(sites.a), 'utf8');
    const rogue = exportFrom(sites.a, ['--ticket', 'ticketA', ...signingArgs(issueSigner('rogue'))]);
    const file = rewrite(rogue, (text) =>
      text.replace(`signer="${attribute(text, 'signer')}"`, `signer="${attribute(trusted, 'signer')}"`),
    );
    refused(file, 'CIBSYNC_SIGNATURE_INVALID', /does not match the digest/);
  });

  it('a signer of the same CA that is not trusted for siteA (another site’s, a subscriber’s, an operator’s)', () => {
    for (const signer of [
      issueSigner('pub.siteC'),
      issueSigner('sub.siteB'),
      issueSigner('operator.siteB', { operator: true, usage: 'client' }),
    ]) {
      refused(
        exportFrom(sites.a, ['--ticket', 'ticketA', ...signingArgs(signer)]),
        'CIBSYNC_PUBLISHER_UNTRUSTED',
        /is not trusted to publish for site siteA/,
      );
    }
  });

  it('a signer trusted by name but issued by another CA', () => {
    const other = createCa({ name: 'cibsync signing test CA', days: 30, bits: 2048 });
    const pair = issueCertificate(other, { name: SIGNER_NAME, ips: [], dns: [], days: 30, bits: 2048, usage: 'both' });
    const signer: SignerFiles = {
      cert: join(sites.a.dir, 'foreign.crt'),
      key: join(sites.a.dir, 'foreign.key'),
      ca: '',
    };
    writeFileSync(signer.cert, pair.certPem);
    writeFileSync(signer.key, pair.keyPem);
    refused(
      exportFrom(sites.a, ['--ticket', 'ticketA', ...signingArgs(signer)]),
      'CIBSYNC_SIGNER_CERT_INVALID',
      /is not issued by the configured CA/,
    );
  });

  it('an expired signer certificate, though trusted by name', () => {
    const expired = issueSigner(
      SIGNER_NAME,
      { notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 },
      'expired-signer',
    );
    refused(
      exportFrom(sites.a, ['--ticket', 'ticketA', ...signingArgs(expired)]),
      'CIBSYNC_SIGNER_CERT_INVALID',
      /expired at/,
    );
  });
});

describe('unsigned publications', () => {
  it('are format 1 and refused unless trust.allowUnsigned is set; then they apply', async () => {
    const file = exportFrom(sites.a, ['--ticket', 'ticketA', '--unsigned']);
    expect(attribute(readFileSync(file, 'utf8'), 'format')).toBe('1');
    refused(file, 'CIBSYNC_PUBLICATION_UNSIGNED', /is not signed/);
    const allow = join(sites.b.dir, 'allow-unsigned.json');
    writeFileSync(
      allow,
      JSON.stringify({
        transformChain: [join(TEST_TRANSFORMS, 'identity.xsl')],
        trust: trustSettings({ allowUnsigned: true }),
      }),
    );
    const r = importAt(sites.b, file, 'identity.xsl', ['--config', allow]);
    expect(r.code, r.stderr).toBe(0);
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'cpu-weight')).toBe('4');
  });

  it('export needs a signing key, or --unsigned said explicitly', () => {
    const r = cli(['export', '--ticket', 'ticketA'], { cibFile: sites.a.cibFile });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CIBSYNC_USAGE: no signing key/);
  });
});
