// The certificate, key and CA bundle a daemon presents and trusts: loaded and checked as one set, and
// reloaded on SIGHUP or when a file changes. A new set that fails the checks (unreadable, not PEM, a
// key that does not belong to the certificate, e.g. halfway through a copy) is logged and ignored, so
// a rotation mistake never takes a running daemon down; it keeps the set it has.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';
import { splitPem } from '../../certs/inspect.js';
import type { TlsConfig } from '../config/index.js';
import { asCibsyncError, CibsyncError } from '../errors.js';
import type { Logger } from '../log.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
  /** For the logs: the daemon's own certificate. */
  fingerprint: string;
  notAfter: string;
}

function read(path: string, what: string): string {
  if (!path) throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `no ${what} file configured`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', `cannot read the ${what} ${path}: ${(err as Error).message}`, {
      path,
    });
  }
}

export function loadTlsMaterial(config: Pick<TlsConfig, 'cert' | 'key' | 'ca'>): TlsMaterial {
  const cert = read(config.cert, 'certificate');
  const key = read(config.key, 'private key');
  const ca = read(config.ca, 'CA bundle');
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key)))
      throw new Error(`the key ${config.key} does not belong to the certificate ${config.cert}`);
    if (splitPem(ca).length === 0) throw new Error(`${config.ca} holds no PEM certificate`);
    return { cert, key, ca, fingerprint: x509.fingerprint256, notAfter: new Date(x509.validTo).toISOString() };
  } catch (err) {
    throw new CibsyncError('CIBSYNC_TLS_FILES_INVALID', (err as Error).message, {
      cert: config.cert,
      key: config.key,
      ca: config.ca,
    });
  }
}

/**
 * Calls `apply` with a freshly loaded set on SIGHUP and whenever one of the three files changes
 * (stat polling every certCheckMs, which also survives files replaced by rename). Returns a stop function.
 */
export function watchTlsMaterial(
  config: TlsConfig,
  logger: Logger,
  apply: (material: TlsMaterial) => void,
): () => void {
  const reload = (trigger: string) => {
    try {
      const material = loadTlsMaterial(config);
      apply(material);
      logger.info(
        { event: 'tls-reloaded', trigger, fingerprint: material.fingerprint, notAfter: material.notAfter },
        'certificate files reloaded',
      );
    } catch (err) {
      const error = asCibsyncError(err);
      logger.error(
        { event: 'tls-reload-failed', trigger, code: error.code, err: error.message },
        'certificate reload failed; keeping the current certificates',
      );
    }
  };
  const files = [config.cert, config.key, config.ca];
  const onSighup = () => reload('SIGHUP');
  process.on('SIGHUP', onSighup);
  const watchers = files.map((file) => {
    const onChange = (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size)
        reload(`file changed: ${file}`);
    };
    watchFile(file, { interval: config.certCheckMs, persistent: false }, onChange);
    return { file, onChange };
  });
  return () => {
    process.off('SIGHUP', onSighup);
    // Only this watcher's listener: unwatchFile(file) alone would also stop every other watcher of the file.
    for (const { file, onChange } of watchers) unwatchFile(file, onChange);
  };
}
