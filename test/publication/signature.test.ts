// The publication's signature in-process: format, what the digest covers, and each refusal of
// verifyOrigin, on real certificates from certs/authority.ts.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type KeyAndCertificate } from '../../certs/authority.js';
import { applySettings, defaultConfig } from '../../services/config/index.js';
import { isCibsyncError } from '../../services/errors.js';
import {
  digestSigner,
  type Publication,
  readPublication,
  sealPublication,
  serializePublication,
  type Trust,
  verifyOrigin,
} from '../../services/publication/index.js';
import { parseXml } from '../../services/xml/index.js';

let ca: KeyAndCertificate;
let publisher: KeyAndCertificate;

beforeAll(() => {
  ca = createCa({ name: 'unit CA', days: 30, bits: 2048 });
  publisher = issueCertificate(ca, { name: 'pub.siteA', ips: [], dns: [], days: 30, bits: 2048, usage: 'both' });
});

const content = () => ({
  site: 'siteA',
  ticket: 'ticketA',
  adminEpoch: 0,
  epoch: 7,
  created: '2026-12-01T00:00:00Z',
  configuration: parseXml('<configuration><crm_config/><nodes/><resources/><constraints/></configuration>'),
  nodeAttributes: {},
  sourceVerdict: { level: 'clean' as const, messages: [] },
});

const trust = (extra: Partial<Trust> = {}): Trust => ({
  caPem: ca.certPem,
  publishers: { siteA: ['pub.siteA'] },
  allowUnsigned: false,
  ...extra,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isCibsyncError(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

/** Signed by `signer`, serialised and read back: what a subscriber receives. */
function received(signer = publisher, edit: (p: Publication) => Publication = (p) => p): Publication {
  const sealed = edit(sealPublication(content(), digestSigner(signer.keyPem, signer.certPem)));
  return readPublication(serializePublication(sealed));
}

describe('signed publications', () => {
  it('round-trip as format 2 and name their signer', () => {
    const text = serializePublication(sealPublication(content(), digestSigner(publisher.keyPem, publisher.certPem)));
    expect(text).toMatch(/format="2"/);
    expect(verifyOrigin(readPublication(text), trust())).toMatchObject({
      signed: true,
      site: 'siteA',
      signer: { commonName: 'pub.siteA' },
    });
  });

  it('keep the digest of the content apart from the signature: the same content signed by two keys has one digest', () => {
    const other = issueCertificate(ca, { name: 'pub2.siteA', ips: [], dns: [], days: 30, bits: 2048, usage: 'both' });
    expect(received(other).digest).toBe(received().digest);
  });

  it('accept the signer certificate as PEM as well as base64 DER', () => {
    const pem = received(publisher, (p) => ({
      ...p,
      signature: { value: p.signature?.value ?? '', signer: publisher.certPem },
    }));
    expect(verifyOrigin(pem, trust()).signed).toBe(true);
  });

  it('are refused, each with its code', () => {
    const expired = issueCertificate(ca, {
      name: 'pub.siteA',
      ips: [],
      dns: [],
      days: 1,
      bits: 2048,
      usage: 'both',
      notBefore: new Date(Date.now() - 5 * 86_400_000),
    });
    const future = issueCertificate(ca, {
      name: 'pub.siteA',
      ips: [],
      dns: [],
      days: 10,
      bits: 2048,
      usage: 'both',
      notBefore: new Date(Date.now() + 5 * 86_400_000),
    });
    expect(refusal(() => verifyOrigin(received(expired), trust()))).toBe('CIBSYNC_SIGNER_CERT_INVALID');
    expect(refusal(() => verifyOrigin(received(future), trust()))).toBe('CIBSYNC_SIGNER_CERT_INVALID');
    expect(refusal(() => verifyOrigin(received(ca), trust({ publishers: { siteA: ['unit CA'] } })))).toBe(
      'CIBSYNC_SIGNER_CERT_INVALID',
    );
    expect(
      refusal(() =>
        verifyOrigin(received(), trust({ caPem: createCa({ name: 'unit CA', days: 30, bits: 2048 }).certPem })),
      ),
    ).toBe('CIBSYNC_SIGNER_CERT_INVALID');
    expect(
      refusal(() =>
        verifyOrigin(
          received(publisher, (p) => ({
            ...p,
            signature: { value: p.signature?.value ?? '', signer: 'bm90IGEgY2VydA==' },
          })),
          trust(),
        ),
      ),
    ).toBe('CIBSYNC_SIGNATURE_INVALID');
    expect(
      refusal(() =>
        verifyOrigin(
          received(publisher, (p) => ({ ...p, signature: { value: 'AAAA', signer: p.signature?.signer ?? '' } })),
          trust(),
        ),
      ),
    ).toBe('CIBSYNC_SIGNATURE_INVALID');
    expect(refusal(() => verifyOrigin(received(), trust({ publishers: { siteA: ['pub.siteC'] } })))).toBe(
      'CIBSYNC_PUBLISHER_UNTRUSTED',
    );
    expect(refusal(() => verifyOrigin(received(), trust({ publishers: {} })))).toBe('CIBSYNC_PUBLISHER_UNTRUSTED');
  });

  it('trust a signer by fingerprint, and never through a site name that is an Object property', () => {
    const fingerprint = new X509Certificate(publisher.certPem).fingerprint256;
    expect(
      verifyOrigin(received(), trust({ publishers: { siteA: [fingerprint.replace(/:/g, '').toLowerCase()] } })).signed,
    ).toBe(true);
    for (const site of ['constructor', '__proto__', 'toString']) {
      const claim = received(publisher, (p) => p);
      expect(refusal(() => verifyOrigin({ ...claim, site }, trust()))).toBe('CIBSYNC_PUBLISHER_UNTRUSTED');
    }
  });
});

describe('unsigned publications', () => {
  it('are still written as format 1, and read when trust.allowUnsigned is set', () => {
    const text = serializePublication(sealPublication(content()));
    expect(text).toMatch(/format="1"/);
    expect(refusal(() => verifyOrigin(readPublication(text), trust()))).toBe('CIBSYNC_PUBLICATION_UNSIGNED');
    expect(verifyOrigin(readPublication(text), trust({ allowUnsigned: true }))).toEqual({
      signed: false,
      site: 'siteA',
    });
  });

  it('a format 1 document carrying a signature, or half a signature, is not a publication', () => {
    const signed = serializePublication(sealPublication(content(), digestSigner(publisher.keyPem, publisher.certPem)));
    expect(refusal(() => readPublication(signed.replace('format="2"', 'format="1"')))).toBe(
      'CIBSYNC_PUBLICATION_INVALID',
    );
    expect(refusal(() => readPublication(signed.replace(/ signer="[^"]*"/, '')))).toBe('CIBSYNC_PUBLICATION_INVALID');
  });
});

describe('trust settings', () => {
  it('take a list or one identity per site, and refuse anything else', () => {
    const config = applySettings(defaultConfig(), {
      trust: {
        ca: '/etc/cibsync/ca.crt',
        publishers: { siteA: 'pub.siteA', siteC: ['pub.siteC', 'AB:CD'] },
        allowUnsigned: true,
      },
    });
    expect(config.trust).toEqual({
      ca: '/etc/cibsync/ca.crt',
      publishers: { siteA: ['pub.siteA'], siteC: ['pub.siteC', 'AB:CD'] },
      allowUnsigned: true,
    });
    expect(defaultConfig().trust).toEqual({ ca: '', publishers: {}, allowUnsigned: false });
    for (const bad of [
      { publishers: ['pub.siteA'] },
      { publishers: { siteA: 7 } },
      { allowUnsigned: 'yes' },
      { trusted: {} },
      'siteA',
    ]) {
      expect(refusal(() => applySettings(defaultConfig(), { trust: bad }))).toBe('CIBSYNC_CONFIG_INVALID');
    }
  });
});
