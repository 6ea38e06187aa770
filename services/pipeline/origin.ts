// Step 1b: the publication's origin, checked against the configured trust (trust.ca, trust.publishers,
// trust.allowUnsigned) before anything else looks at it; freshness, the ticket check and the state
// files then key on a site that a trusted signer vouched for, never on a bare claim.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { type Origin, type Publication, verifyOrigin } from '../publication/index.js';

/** The CA bundle signers must chain to: trust.ca, else the subscriber's, else the publisher's CA. */
function trustedCaPem(config: Config): string {
  const path = config.trust.ca || config.subscriber?.ca || config.publisher?.ca || '';
  if (!path)
    throw new CibsyncError(
      'CIBSYNC_CONFIG_INVALID',
      'a signed publication needs a CA to check its signer against: set trust.ca (or subscriber.ca)',
    );
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CibsyncError(
      'CIBSYNC_TLS_FILES_INVALID',
      `cannot read the CA bundle ${path}: ${(err as Error).message}`,
      { path },
    );
  }
}

export function checkOrigin(publication: Pick<Publication, 'site' | 'digest' | 'signature'>, config: Config): Origin {
  const { publishers, allowUnsigned } = config.trust;
  const caPem = publication.signature ? trustedCaPem(config) : '';
  return verifyOrigin(publication, { caPem, publishers, allowUnsigned });
}
