// One throw-away CA per test process and the certificate that signs site A's publications, so the
// tests export signed publications and import them with the trust a real subscriber has.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, type IssueOptions, issueCertificate, type KeyAndCertificate } from '../../certs/authority.js';
import { tempDir } from './sites.js';

export const SIGNER_NAME = 'pub.siteA';

export interface SignerFiles {
  cert: string;
  key: string;
  ca: string;
}

interface TestCa {
  dir: string;
  ca: KeyAndCertificate;
  caFile: string;
  signer: SignerFiles;
}

let shared: TestCa | undefined;

function testCa(): TestCa {
  if (shared) return shared;
  const dir = tempDir('cibsync-signing-');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ca = createCa({ name: 'cibsync signing test CA', days: 30, bits: 2048 });
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  shared = { dir, ca, caFile, signer: { cert: '', key: '', ca: caFile } };
  shared.signer = issueSigner(SIGNER_NAME);
  return shared;
}

/** A certificate of the shared test CA for CN `name`, written as FILE.crt/FILE.key (FILE defaults to the name), e.g. a hostile one or an expired one. */
export function issueSigner(name: string, options: Partial<IssueOptions> = {}, file = name): SignerFiles {
  const { dir, ca, caFile } = testCa();
  const pair = issueCertificate(ca, {
    name,
    ips: ['127.0.0.1'],
    dns: [],
    days: 30,
    bits: 2048,
    usage: 'both',
    ...options,
  });
  const files = { cert: join(dir, `${file}.crt`), key: join(dir, `${file}.key`), ca: caFile };
  writeFileSync(files.cert, pair.certPem);
  writeFileSync(files.key, pair.keyPem, { mode: 0o600 });
  return files;
}

/** `cibsync export` flags that sign with site A's publisher certificate (or `signer`). */
export function signingArgs(signer: SignerFiles = testCa().signer): string[] {
  return ['--sign-cert', signer.cert, '--sign-key', signer.key];
}

/** The `trust` settings of a site that takes site A's publications signed by SIGNER_NAME. */
export function trustSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ca: testCa().caFile, publishers: { siteA: [SIGNER_NAME] }, ...extra };
}
