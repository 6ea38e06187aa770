// A small certificate authority for the cibsync daemons: one CA per geo cluster, and one certificate
// per daemon or operator. Keys come from Node's native generator (OpenSSL); node-forge only builds and
// signs the X.509 structures, which is cheap next to finding RSA primes in JavaScript.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { OPERATOR_OU } from './inspect.js';

export type CertificateUsage = 'client' | 'server' | 'both';

export interface KeyAndCertificate {
  keyPem: string;
  certPem: string;
}

export interface ValidityOptions {
  days: number;
  /** Start of validity; default now minus five minutes (clock skew between sites). */
  notBefore?: Date;
}

export interface CaOptions extends ValidityOptions {
  name: string;
  bits: number;
}

export interface IssueOptions extends ValidityOptions {
  name: string;
  bits: number;
  usage: CertificateUsage;
  ips: string[];
  dns: string[];
  /** An operator's certificate (subject OU=cibsync-operator): a person who decides plans, never a daemon. */
  operator?: boolean;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** An RSA key pair from OpenSSL, handed to forge as PEM. */
export function generateRsaKey(bits: number): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  keyPem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem: privateKey };
}

function newCertificate(publicKey: forge.pki.PublicKey, validity: ValidityOptions): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive 16-byte serial: the top bit cleared so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const notBefore = validity.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + validity.days * 86_400_000);
  return cert;
}

export function createCa(options: CaOptions): KeyAndCertificate {
  const key = generateRsaKey(options.bits);
  const cert = newCertificate(key.publicKey, options);
  const subject = [{ name: 'commonName', value: options.name }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { keyPem: key.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

export function issueCertificate(ca: KeyAndCertificate, options: IssueOptions): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const key = generateRsaKey(options.bits);
  const cert = newCertificate(key.publicKey, options);
  cert.setSubject([
    ...(options.operator ? [{ name: 'organizationalUnitName', value: OPERATOR_OU }] : []),
    { name: 'commonName', value: options.name },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...options.dns.map((value) => ({ type: 2, value })), ...options.ips.map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.usage !== 'client', clientAuth: options.usage !== 'server' },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: key.keyPem, certPem: forge.pki.certificateToPem(cert) };
}
