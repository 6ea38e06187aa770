// Who decides a plan over HTTPS. The client certificate's subject is the name recorded with the
// decision. A browser presents the administrator's certificate on every request to this origin, even
// one a page elsewhere makes it send; so a decision whose Origin (or Sec-Fetch-Site) says it came from
// another site is refused. With subscriber.admins set, only those certificates may decide; without it,
// only operator certificates (`cibsync certs issue --operator`), never a daemon's own certificate.
// A caller on the admin socket is root on this host: a local administrator, like an operator
// certificate, recorded as `local:<socket path>`.
import type { FastifyRequest } from 'fastify';
import { CibsyncError } from '../errors.js';
import { localAdminOf } from '../net/admin-socket.js';
import { isAllowed, type Peer, PeerRefused, peerOf } from '../net/mtls.js';

/** The name a decision is recorded under: `cert:` and the certificate subject, e.g. `cert:CN=admin.siteB`; `local:<socket path>` on the admin socket. */
export function deciderName(request: FastifyRequest): string {
  return localAdminOf(request) ?? `cert:${peerOf(request).subject}`;
}

function isDecider(peer: Peer, admins: string[]): boolean {
  return admins.length > 0 ? isAllowed(peer, admins) : peer.operator;
}

export function mayDecide(request: FastifyRequest, admins: string[]): boolean {
  return localAdminOf(request) !== undefined || isDecider(peerOf(request), admins);
}

/** Throws (CIBSYNC_CROSS_ORIGIN, CIBSYNC_TLS_NOT_ALLOWED) unless this request may decide; returns the decider's name. */
export function requireDecider(request: FastifyRequest, admins: string[]): string {
  const origin = request.headers.origin;
  const own = `https://${request.headers.host ?? ''}`;
  const fetchSite = request.headers['sec-fetch-site'];
  if ((origin !== undefined && origin !== own) || fetchSite === 'cross-site' || fetchSite === 'same-site') {
    throw new CibsyncError(
      'CIBSYNC_CROSS_ORIGIN',
      `a decision sent by a page of ${origin ?? 'another site'} is refused; decide from ${own}/ or with cibsync plan`,
      { origin, fetchSite },
    );
  }
  const local = localAdminOf(request);
  if (local) return local;
  const peer = peerOf(request);
  if (!isDecider(peer, admins)) {
    const rule =
      admins.length > 0
        ? 'is not on subscriber.admins'
        : 'is not an operator certificate (cibsync certs issue --operator), and subscriber.admins is not set';
    throw new PeerRefused(
      'not_allowed',
      `client ${peer.subject} (${peer.fingerprint}) may not decide plans: it ${rule}`,
      { subject: peer.subject, fingerprint: peer.fingerprint },
    );
  }
  return deciderName(request);
}
