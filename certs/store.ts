// The on-disk layout of `cibsync certs`: DIR/ca.crt + DIR/ca.key, and DIR/NAME.crt + DIR/NAME.key.
// Keys are created 0600 and, like certificates, never overwritten (a lost CA key means re-issuing
// every certificate of the cluster).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CibsyncError } from '../services/errors.js';
import type { KeyAndCertificate } from './authority.js';

export const CA_NAME = 'ca';

export function pathsFor(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

function writeNew(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CibsyncError('CIBSYNC_CERT_EXISTS', `${path} already exists`, { path });
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `cannot write ${path}: ${(err as Error).message}`, { path });
  }
}

export function saveKeyAndCertificate(
  dir: string,
  name: string,
  pair: KeyAndCertificate,
): { cert: string; key: string } {
  const paths = pathsFor(dir, name);
  // Both must be new; checked up front so a refusal leaves no half-written pair behind.
  for (const path of [paths.cert, paths.key])
    if (existsSync(path))
      throw new CibsyncError(
        'CIBSYNC_CERT_EXISTS',
        `${path} already exists; remove it first or choose another --name`,
        { path },
      );
  writeNew(paths.key, pair.keyPem, 0o600);
  writeNew(paths.cert, pair.certPem, 0o644);
  return paths;
}

export function loadCa(dir: string): KeyAndCertificate {
  const paths = pathsFor(dir, CA_NAME);
  try {
    return { certPem: readFileSync(paths.cert, 'utf8'), keyPem: readFileSync(paths.key, 'utf8') };
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_TLS_FILES_INVALID',
      `cannot read the CA in ${dir} (run cibsync certs init-ca --dir ${dir} first): ${(err as Error).message}`,
      { dir },
    );
  }
}
