// A 300-change soak: a real publisher (site A) and subscriber (site B) process on loopback with
// file-backed CIBs; 300 configuration changes at A, made quickly enough that many coalesce, with a
// checkpoint every 50 changes. At each checkpoint and at the end: 0 divergences (B's configuration
// canonically equals A's publication spliced with B's site-local parts, as the pipeline does), and
// the publications B took arrive in order (epochs never go back) with none lost (B ends on A's last).
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationOfCib } from '../../services/cib/index.js';
import { defaultConfig } from '../../services/config/index.js';
import { spliceSiteLocal } from '../../services/pipeline/splice.js';
import { buildPublication } from '../../services/publication/build.js';
import { parseXml, sameXml } from '../../services/xml/index.js';
import type { Site } from '../helpers/sites.js';
import {
  batchLimitOf,
  type Daemon,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  subscriberConfig,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

const CHANGES = Number(process.env.SOAK_CHANGES ?? 300);
const CHECKPOINT_EVERY = 50;

let a: Site;
let b: Site;
let publisher: Daemon;
let subscriber: Daemon;

/**
 * A change at A written as a whole new file. File-mode cibadmin writes in place, so a reader racing
 * it (the publisher's crm_ticket) can see a torn file and answer "ticket not held" for a moment; a
 * live CIB manager's writes are atomic. The soak is about replication, so A's writes are made atomic
 * here: a private copy, modified, renamed into place.
 */
function changeBatchLimitAtomically(site: Site, value: number): void {
  const copy = `${site.cibFile}.soak`;
  copyFileSync(site.cibFile, copy);
  execFileSync(
    'cibadmin',
    ['--modify', '--xml-text', `<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="${value}"/>`],
    { env: { ...process.env, LC_ALL: 'C', CIB_file: copy } },
  );
  renameSync(copy, site.cibFile);
}

/** Whether B's configuration is what the pipeline makes of A's current publication on B. */
async function diverges(): Promise<boolean> {
  const publication = await buildPublication(a.pacemaker, { site: 'siteA', ticket: 'ticketA' });
  const local = configurationOfCib(parseXml(b.read()));
  const expected = spliceSiteLocal(publication.configuration, local, defaultConfig().siteLocal).configuration;
  return !sameXml(expected, local);
}

/** The epochs (admin_epoch.epoch) of the publications the subscriber parsed, in the order it did. */
function parsedEpochs(): [number, number][] {
  return subscriber.logs
    .filter((l) => l.step === 'parse' && typeof l.epoch === 'string')
    .map((l) => (l.epoch as string).split('.').map(Number) as [number, number]);
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  const pubTls = pki.issue('pubA');
  const subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pubTls, { allow: ['subB'] })),
    a.cibFile,
  );
  subscriber = await startDaemon(
    'subscriber',
    writeConfig(b, 'subscriber', subscriberConfig(b, subTls, [publisher.url], { pollIntervalMs: 60_000 })),
    b.cibFile,
  );
  await waitFor('the first replication', () => b.read().includes('id="vip-web"'), 20_000);
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

describe(`soak: ${CHANGES} changes at the source`, () => {
  it('ends with 0 divergences, every publication taken in order, none lost', async () => {
    let divergences = 0;
    for (let i = 1; i <= CHANGES; i += 1) {
      changeBatchLimitAtomically(a, 1000 + i);
      if (i % CHECKPOINT_EVERY !== 0) continue;
      await waitFor(`batch-limit ${1000 + i} at B`, () => batchLimitOf(b) === String(1000 + i), 30_000, 50).catch(
        (err: Error) => {
          throw new Error(
            `${err.message}; B has ${batchLimitOf(b)}; the subscriber: ${JSON.stringify(subscriber.logs.slice(-2))}; the publisher: ${JSON.stringify(publisher.logs.slice(-6))}`,
          );
        },
      );
      // B's subscriber may still be checking what it just wrote: a divergence must persist to count.
      if (await diverges())
        divergences += await waitFor('no divergence', async () => !(await diverges()), 5000, 200).then(
          () => 0,
          () => 1,
        );
    }
    expect(divergences).toBe(0);
    expect(batchLimitOf(b)).toBe(String(1000 + CHANGES));

    const epochs = parsedEpochs();
    for (let k = 1; k < epochs.length; k += 1) {
      const [pa, pe] = epochs[k - 1] as [number, number];
      const [ca, ce] = epochs[k] as [number, number];
      expect(ca > pa || (ca === pa && ce >= pe), `publication ${ca}.${ce} after ${pa}.${pe}`).toBe(true);
    }
    const last = await a.pacemaker.version();
    expect(epochs.at(-1)).toEqual([last.admin_epoch, last.epoch]);
    const failures = subscriber.logs.filter((l) => l.event === 'round-failed');
    expect(failures, JSON.stringify(failures.slice(0, 3))).toEqual([]);
  }, 300_000);
});
