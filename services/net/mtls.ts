// Who is asking. The TLS server runs with rejectUnauthorized:false so that a refused client is
// answered (403 problem+json naming OpenSSL's reason) and logged with that reason: with Node's own
// rejection the server learns nothing and a TLS 1.3 client only sees "other side closed". No route
// handler runs for a refused client, so nothing is served to it.
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { type CertificateIdentity, identityOf, matchesIdentity } from '../../certs/inspect.js';
import { CibsyncError } from '../errors.js';

export type Peer = CertificateIdentity;

/** Bounded label values for the refusal metrics, from OpenSSL's verification codes. */
export type RefusalReason =
  | 'no_client_certificate'
  | 'certificate_expired'
  | 'unknown_ca'
  | 'certificate_invalid'
  | 'not_allowed';

const UNKNOWN_CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

export class PeerRefused extends CibsyncError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    details: Record<string, unknown>,
  ) {
    super(reason === 'not_allowed' ? 'CIBSYNC_TLS_NOT_ALLOWED' : 'CIBSYNC_TLS_CLIENT_REFUSED', message, {
      reason,
      ...details,
    });
  }
}

/** An allowlist entry is a SHA-256 fingerprint (with or without colons), a CN, or a whole subject `CN=…`; an empty allowlist admits every certificate of the CA. */
export function isAllowed(peer: Peer, allow: string[]): boolean {
  return allow.length === 0 || matchesIdentity(peer, allow);
}

/** The verified client certificate of a request, or the reason it has none. */
export function verifiedPeer(socket: TLSSocket): Peer {
  const x509 = socket.getPeerX509Certificate();
  if (!x509) throw new PeerRefused('no_client_certificate', 'no client certificate was presented', {});
  const peer = identityOf(x509);
  if (!socket.authorized) {
    const code = String(
      (socket.authorizationError as unknown as { code?: string } | null)?.code ??
        socket.authorizationError ??
        'UNKNOWN',
    );
    const reason: RefusalReason =
      code === 'CERT_HAS_EXPIRED'
        ? 'certificate_expired'
        : UNKNOWN_CA_CODES.has(code)
          ? 'unknown_ca'
          : 'certificate_invalid';
    throw new PeerRefused(reason, `client certificate ${peer.subject} refused: ${code}`, {
      tlsError: code,
      subject: peer.subject,
      fingerprint: peer.fingerprint,
    });
  }
  return peer;
}

export function checkAllowed(peer: Peer, allow: string[], what: string): void {
  if (!isAllowed(peer, allow))
    throw new PeerRefused(
      'not_allowed',
      `client ${peer.subject} (${peer.fingerprint}) is not on the allowlist for ${what}`,
      { subject: peer.subject, fingerprint: peer.fingerprint },
    );
}

export function peerOf(request: FastifyRequest): Peer {
  const socket = request.raw.socket as TLSSocket;
  // A request on the admin socket (admin-socket.ts) has no TLS, so no certificate: its caller is localAdminOf's.
  if (typeof socket.getPeerX509Certificate !== 'function')
    throw new PeerRefused('no_client_certificate', 'no client certificate: the request came in without TLS', {});
  return verifiedPeer(socket);
}
