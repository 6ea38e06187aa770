// What `cibsync certs show` prints, and how the daemons name a peer certificate: through Node's own
// X509Certificate, so the fingerprint shown is the one the allowlist is matched against.
import { X509Certificate } from 'node:crypto';

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
