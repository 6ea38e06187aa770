// Builds the publication from the local CIB.
import { clusterName, nodeAttributesOf, versionOf, withoutHistory } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { firstChild, type XmlElement } from '../xml/index.js';
import { type Publication, type PublicationSignature, sealPublication } from './format.js';

export interface BuildOptions {
  /** This site's name; default the cluster-name property. */
  site?: string;
  /** The booth ticket; when set, a site that does not hold it has nothing to publish. */
  ticket?: string;
  /** Publish even when the ticket is not held (offline export for testing). */
  ignoreTicket?: boolean;
  /** Signs the digest (digestSigner): the publisher's key. Without it the publication is unsigned. */
  sign?: (digest: string) => PublicationSignature;
  now?: () => Date;
  /**
   * A scoped publication (format 3): the scopes by name (the ticket's, then `global` when it carries
   * that too; or `global`) and the fragment of the configuration they make (the scopes module's
   * extractScopes). The node attributes travel with the global scope only.
   */
  scope?: { names: string[]; extract: (configuration: XmlElement) => XmlElement };
}

export async function buildPublication(pacemaker: Pacemaker, options: BuildOptions = {}): Promise<Publication> {
  const cib = await pacemaker.queryCib();
  const configuration = firstChild(cib, 'configuration');
  if (!configuration)
    throw new CibsyncError('CIBSYNC_PCMK_ERROR', `${pacemaker.describe()} has no <configuration> section`);
  const site = options.site ?? clusterName(configuration);
  if (!site)
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', 'no site name: set "site" (--site) or the cluster-name property');
  const ticket = options.ticket ?? '';
  if (ticket && !options.ignoreTicket) {
    const state = await pacemaker.ticket(ticket);
    if (!state.granted || state.standby) {
      throw new CibsyncError(
        'CIBSYNC_TICKET_NOT_HELD',
        `site ${site} does not hold ticket ${ticket} (${state.granted ? 'standby' : 'not granted'}): nothing to publish`,
        { ticket },
      );
    }
  }
  // Judge the configuration, not the history: failed operations at the source are not the other sites' business.
  const verdict = await pacemaker.verify(withoutHistory(cib));
  const { admin_epoch, epoch } = versionOf(cib);
  const { scope } = options;
  return sealPublication(
    {
      site,
      ticket,
      adminEpoch: admin_epoch,
      epoch,
      created: (options.now ?? (() => new Date()))().toISOString(),
      configuration: scope ? scope.extract(configuration) : configuration,
      nodeAttributes: !scope || scope.names.includes('global') ? nodeAttributesOf(configuration) : {},
      ...(scope ? { scopes: scope.names } : {}),
      sourceVerdict: {
        level: verdict.level,
        messages: [
          ...[...verdict.schemaErrors, ...verdict.errors].map((text) => ({ level: 'error' as const, text })),
          ...verdict.warnings.map((text) => ({ level: 'warning' as const, text })),
        ],
      },
    },
    options.sign,
  );
}
