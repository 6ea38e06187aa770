// The HTTPS server both daemons run: fastify over TLS only, client certificates required and checked
// on every request before any route runs, certificates reloaded in place (setSecureContext: open
// connections keep their session, new handshakes get the new certificate).
import type { AddressInfo } from 'node:net';
import Fastify, { LogController } from 'fastify';
import type { TlsConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { localAdminOf } from './admin-socket.js';
import { checkAllowed, PeerRefused, peerOf, type RefusalReason } from './mtls.js';
import { sendProblem } from './problem.js';
import { loadTlsMaterial, type TlsMaterial, watchTlsMaterial } from './tls-material.js';

export interface HttpsAppOptions {
  tls: TlsConfig;
  logger: Logger;
  /** Paths any certificate from the CA may use, allowlisted or not (the agents' health check). */
  allowlistExempt: string[];
  onRefused: (reason: RefusalReason) => void;
}

function secureOptions(material: TlsMaterial) {
  return {
    cert: material.cert,
    key: material.key,
    ca: material.ca,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2' as const,
  };
}

export function createHttpsApp(options: HttpsAppOptions) {
  const material = loadTlsMaterial(options.tls);
  // forceCloseConnections: a stopping daemon must not wait for peers' keep-alive connections (fastify
  // keeps them 72 s) or for half-open ones after a link cut; the agents' stop timeout is shorter.
  const app = Fastify({
    https: secureOptions(material),
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  const exempt = new Set(options.allowlistExempt);
  app.addHook('onRequest', async (request, reply) => {
    // Root on this host, through the admin socket (admin-socket.ts): no certificate to check.
    if (localAdminOf(request)) return;
    try {
      const peer = peerOf(request);
      if (!exempt.has(request.url.split('?')[0] ?? '')) checkAllowed(peer, options.tls.allow, request.url);
    } catch (err) {
      if (!(err instanceof PeerRefused)) throw err;
      options.onRefused(err.reason);
      options.logger.warn(
        { event: 'client-refused', code: err.code, remote: request.ip, url: request.url, ...err.details },
        err.message,
      );
      return sendProblem(reply, err);
    }
  });
  const stopWatching = watchTlsMaterial(options.tls, options.logger, (next) =>
    app.server.setSecureContext(secureOptions(next)),
  );
  app.addHook('onClose', async () => stopWatching());
  options.logger.info(
    { event: 'tls-loaded', fingerprint: material.fingerprint, notAfter: material.notAfter },
    'certificate loaded',
  );
  return app;
}

export type HttpsApp = ReturnType<typeof createHttpsApp>;

/** Starts listening; returns the URL peers use (the bound port, so port 0 works for tests). */
export async function listen(app: HttpsApp, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const bound = (app.server.address() as AddressInfo).port;
  return `https://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
