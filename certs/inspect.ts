// What `cibsync certs show` prints, and how the daemons name a peer certificate: through Node's own
// X509Certificate, so the fingerprint shown is the one the allowlist is matched against.
import { X509Certificate } from 'node:crypto';

/** The organizational unit that marks an operator certificate (`cibsync certs issue --operator`): who may decide plans. */
export const OPERATOR_OU = 'cibsync-operator';

/** How a certificate is named in allowlists and trust lists. */
export interface CertificateIdentity {
  /** The whole subject, RDNs joined by ", " (e.g. `OU=cibsync-operator, CN=alice`). */
  subject: string;
  commonName: string;
  /** SHA-256, colon-separated upper-case hex, as X509Certificate.fingerprint256. */
  fingerprint: string;
  /** Issued as an operator certificate (subject OU=cibsync-operator). */
  operator: boolean;
}

export function identityOf(cert: X509Certificate): CertificateIdentity {
  const rdns = cert.subject.split('\n');
  return {
    subject: rdns.join(', '),
    commonName: rdns.find((rdn) => rdn.startsWith('CN='))?.slice(3) ?? '',
    fingerprint: cert.fingerprint256,
    operator: rdns.includes(`OU=${OPERATOR_OU}`),
  };
}

const FINGERPRINT = /^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/i;
const normalizeFingerprint = (text: string) => text.replace(/:/g, '').toUpperCase();

/** Whether one of `entries` names the certificate: a SHA-256 fingerprint (with or without colons), a CN, or a whole subject. An empty list names none. */
export function matchesIdentity(identity: CertificateIdentity, entries: string[]): boolean {
  return entries.some((entry) =>
    FINGERPRINT.test(entry)
      ? normalizeFingerprint(entry) === normalizeFingerprint(identity.fingerprint)
      : entry === identity.commonName || entry === identity.subject,
  );
}

const EKU_NAMES: Record<string, string> = { '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth' };

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  usages: string[];
  isCa: boolean;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
}

/** Every certificate in a PEM text (a CA bundle may hold several). */
export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export function summarize(cert: X509Certificate, now = new Date()): CertificateSummary {
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(', ') : [],
    usages: (cert.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
    isCa: cert.ca,
    fingerprintSha256: cert.fingerprint256,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    expired: notAfter.getTime() < now.getTime(),
  };
}

export function summarizePem(pem: string): CertificateSummary[] {
  return splitPem(pem).map((block) => summarize(new X509Certificate(block)));
}
