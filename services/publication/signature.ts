// A publication's origin (docs/publication.md, "Signature"): the publisher signs the digest with its
// own TLS key, and the signature travels with the document together with the signer's certificate.
// The reader checks the signature, that the certificate was issued by the cluster CA and is valid
// now, and that it is trusted to publish for the site the publication claims; so a file carried by
// hand, or one served by a cache or a mirror, proves where it came from, and no other certificate of
// the CA can speak for a site.
import { createPrivateKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { type CertificateIdentity, identityOf, matchesIdentity, splitPem } from '../../certs/inspect.js';
import { CibsyncError } from '../errors.js';
import type { Publication, PublicationSignature } from './format.js';

/** What a signature is over: the digest, prefixed so that the signature means nothing in another protocol. */
function signedText(digest: string): Buffer {
  return Buffer.from(`cibsync-publication-digest ${digest}`, 'utf8');
}

/** Ed25519/Ed448 sign the message itself; RSA and EC keys sign its SHA-256. */
function algorithmFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

/** A signing function for sealPublication, from a PEM key and the PEM certificate that belongs to it. */
export function digestSigner(
  keyPem: string,
  certPem: string,
  what = 'signing key',
): (digest: string) => PublicationSignature {
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    key = createPrivateKey(keyPem);
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `${what}: ${(err as Error).message}`);
  }
  if (!cert.checkPrivateKey(key))
    throw new CibsyncError(
      'CIBSYNC_TLS_FILES_INVALID',
      `${what}: the key does not belong to the certificate ${cert.subject.replace(/\n/g, ', ')}`,
    );
  const signer = cert.raw.toString('base64');
  return (digest) => ({ value: sign(algorithmFor(key), signedText(digest), key).toString('base64'), signer });
}

export interface Trust {
  /** The CA bundle (PEM) a signer certificate must be issued by. */
  caPem: string;
  /** Per site: the identities trusted to sign for it (CN, whole subject, SHA-256 fingerprint). */
  publishers: Record<string, string[]>;
  allowUnsigned: boolean;
  now?: Date;
}

/** The signer of a publication that passed every check, or `unsigned` where that is allowed. */
export type Origin = { signed: true; site: string; signer: CertificateIdentity } | { signed: false; site: string };

function signerCertificate(signature: PublicationSignature, source: string): X509Certificate {
  const text = signature.signer.trim();
  try {
    return new X509Certificate(text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64'));
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_SIGNATURE_INVALID',
      `${source}: the signer certificate cannot be read: ${(err as Error).message}`,
    );
  }
}

function checkChain(cert: X509Certificate, who: CertificateIdentity, trust: Trust, source: string): void {
  const now = trust.now ?? new Date();
  const refuse = (why: string) =>
    new CibsyncError('CIBSYNC_SIGNER_CERT_INVALID', `${source}: signer ${who.subject} (${who.fingerprint}) ${why}`, {
      subject: who.subject,
      fingerprint: who.fingerprint,
    });
  if (cert.ca) throw refuse('is a CA certificate, not a publisher certificate');
  const issuers = splitPem(trust.caPem).map((pem) => new X509Certificate(pem));
  const issuer = issuers.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  if (!issuer) throw refuse('is not issued by the configured CA');
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  if (now < validFrom) throw refuse(`is not valid before ${validFrom.toISOString()}`);
  if (now > validTo) throw refuse(`expired at ${validTo.toISOString()}`);
  if (now > new Date(issuer.validTo))
    throw refuse(`is issued by a CA that expired at ${new Date(issuer.validTo).toISOString()}`);
}

/**
 * Checks that `publication` comes from a publisher trusted for the site it claims; throws
 * CIBSYNC_PUBLICATION_UNSIGNED, CIBSYNC_SIGNATURE_INVALID, CIBSYNC_SIGNER_CERT_INVALID or
 * CIBSYNC_PUBLISHER_UNTRUSTED otherwise. The digest itself was checked by readPublication.
 */
export function verifyOrigin(
  publication: Pick<Publication, 'site' | 'digest' | 'signature'>,
  trust: Trust,
  source = 'publication',
): Origin {
  const { signature, site } = publication;
  if (!signature) {
    if (trust.allowUnsigned) return { signed: false, site };
    throw new CibsyncError(
      'CIBSYNC_PUBLICATION_UNSIGNED',
      `${source}: the publication from ${site} is not signed (set trust.allowUnsigned to take unsigned publications)`,
      { site },
    );
  }
  const cert = signerCertificate(signature, source);
  const who = identityOf(cert);
  let valid: boolean;
  try {
    valid = verify(
      algorithmFor(cert.publicKey),
      signedText(publication.digest),
      cert.publicKey,
      Buffer.from(signature.value, 'base64'),
    );
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_SIGNATURE_INVALID',
      `${source}: the signature cannot be checked: ${(err as Error).message}`,
      { subject: who.subject },
    );
  }
  if (!valid)
    throw new CibsyncError(
      'CIBSYNC_SIGNATURE_INVALID',
      `${source}: the signature does not match the digest and the signer certificate ${who.subject} (${who.fingerprint})`,
      { subject: who.subject, fingerprint: who.fingerprint },
    );
  checkChain(cert, who, trust, source);
  const trusted = Object.hasOwn(trust.publishers, site) ? (trust.publishers[site] ?? []) : [];
  if (!matchesIdentity(who, trusted)) {
    throw new CibsyncError(
      'CIBSYNC_PUBLISHER_UNTRUSTED',
      `${source}: signer ${who.subject} (${who.fingerprint}) is not trusted to publish for site ${site} (trust.publishers.${site})`,
      { site, subject: who.subject, fingerprint: who.fingerprint },
    );
  }
  return { signed: true, site, signer: who };
}
