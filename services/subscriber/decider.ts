// Who decides a plan over HTTPS. The client certificate's subject is the name recorded with the
// decision. A browser presents the administrator's certificate on every request to this origin, even
// one a page elsewhere makes it send; so a decision whose Origin (or Sec-Fetch-Site) says it came from
// another site is refused. With subscriber.admins set, only those certificates may decide.
import type { FastifyRequest } from 'fastify';
import { CibsyncError } from '../errors.js';
import { checkAllowed, isAllowed, peerOf } from '../net/mtls.js';

/** The name a decision is recorded under: `cert:` and the certificate subject, e.g. `cert:CN=admin.siteB`. */
export function deciderName(request: FastifyRequest): string {
  return `cert:${peerOf(request).subject}`;
}

export function mayDecide(request: FastifyRequest, admins: string[]): boolean {
  return isAllowed(peerOf(request), admins);
}

/** Throws (CIBSYNC_CROSS_ORIGIN, CIBSYNC_TLS_NOT_ALLOWED) unless this request may decide; returns the decider's name. */
export function requireDecider(request: FastifyRequest, admins: string[]): string {
  const origin = request.headers.origin;
  const own = `https://${request.headers.host ?? ''}`;
  const fetchSite = request.headers['sec-fetch-site'];
  if ((origin !== undefined && origin !== own) || fetchSite === 'cross-site' || fetchSite === 'same-site') {
    throw new CibsyncError('CIBSYNC_CROSS_ORIGIN', `a decision sent by a page of ${origin ?? 'another site'} is refused; decide from ${own}/ or with cibsync plan`, { origin, fetchSite });
  }
  checkAllowed(peerOf(request), admins, 'plan decisions (subscriber.admins)');
  return deciderName(request);
}
