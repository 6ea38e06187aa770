// A publisher at site A and a subscriber in manual approval mode at site B, as processes (the tests
// also run the CLI, synchronously) over real mutual TLS on 127.0.0.1 against file-backed CIBs, with
// the certificates the approval tests present: an administrator's (on subscriber.admins) and a
// viewer's (signed by the CA, not an admin).
import type { PlanRecord } from '../../services/approval/index.js';
import type { Site } from '../helpers/sites.js';
import {
  type CertFiles,
  type Daemon,
  httpsRequest,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

export const ADMIN = 'admin.siteB';

export interface ManualSites {
  a: Site;
  b: Site;
  ca: string;
  publisher: Daemon;
  subscriber: Daemon;
  /** B's CIB file before the subscriber started. */
  initialHash: string;
  /** The subscriber's own certificate (also what `cibsync plan --from` presents to the publisher). */
  subTls: CertFiles;
  adminTls: CertFiles;
  viewerTls: CertFiles;
  /** An operator certificate (`cibsync certs issue --operator`): decides when subscriber.admins is unset. */
  operatorTls: CertFiles;
  /** Site A's publisher certificate: a daemon's, like subTls. */
  pubTls: CertFiles;
  /** Waits for the plan that waits for a decision at B (one other than `other`: a newer publication's). */
  pendingPlan(other?: string): Promise<PlanRecord>;
  close(): Promise<void>;
}

/** With `admins` (default [ADMIN]) as subscriber.admins; `[]` leaves it unset (operator certificates decide). */
export async function startManualSites(options: { admins?: string[] } = {}): Promise<ManualSites> {
  const pki = makePki();
  const { a, b } = makeSites();
  const pubTls = pki.issue('pubA');
  const subTls = pki.issue('subB');
  const adminTls = pki.issue(ADMIN);
  const viewerTls = pki.issue('viewer.siteB');
  const operatorTls = pki.issue('operator.siteB', { usage: 'client', operator: true });
  const publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pubTls, { allow: ['subB'] })),
    a.cibFile,
  );
  const initialHash = b.hash();
  const config = subscriberConfig(b, subTls, [publisher.url], {
    approval: 'manual',
    admins: options.admins ?? [ADMIN],
    pollIntervalMs: 60_000,
  });
  const subscriber = await startDaemon('subscriber', writeConfig(b, 'subscriber', config), b.cibFile);
  return {
    a,
    b,
    ca: pki.ca,
    publisher,
    subscriber,
    initialHash,
    subTls,
    adminTls,
    viewerTls,
    operatorTls,
    pubTls,
    pendingPlan: (other) =>
      waitFor(
        'a pending plan at B',
        async () => {
          const answer = await httpsRequest(`${subscriber.url}/v1/plans/pending`, adminTls);
          const plan = JSON.parse(answer.body) as PlanRecord | null;
          return plan && plan.id !== other ? plan : undefined;
        },
        15_000,
        100,
      ),
    async close() {
      await subscriber.stop();
      await publisher.stop();
      a.cleanup();
      b.cleanup();
    },
  };
}
