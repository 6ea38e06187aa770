// The takeover plan is computed ahead of time: after every publication applied at the standby site,
// on the CIB that the publication left. A publisher at site A (holding ticketA) and a subscriber at
// site B as processes over real mutual TLS on 127.0.0.1, against file CIBs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TakeoverView } from '../../services/takeover/plan.js';
import { cli, type Site } from '../helpers/sites.js';
import {
  type CertFiles,
  type Daemon,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  statusOf,
  subscriberConfig,
  TICKET,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

let a: Site;
let b: Site;
let publisher: Daemon;
let subscriber: Daemon;
let subTls: CertFiles;

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  const pubTls = pki.issue('pubA');
  subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pubTls, { allow: ['subB'] })),
    a.cibFile,
  );
  subscriber = await startDaemon(
    'subscriber',
    writeConfig(b, 'subscriber', subscriberConfig(b, subTls, [publisher.url])),
    b.cibFile,
  );
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
});

function plan(): TakeoverView {
  const r = cli([
    'takeover',
    'plan',
    TICKET,
    '--output-as=json',
    '--subscriber',
    subscriber.url,
    '--cert',
    subTls.cert,
    '--key',
    subTls.key,
    '--ca',
    subTls.ca,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TakeoverView;
}

const epochOf = (site: Site) => Number(/<cib [^>]*\bepoch="(\d+)"/.exec(site.read())?.[1]);

/** Waits until B applied a publication of A at A's current epoch, and returns its digest. */
async function appliedAtB(): Promise<string> {
  const epoch = epochOf(a);
  return waitFor(
    `B applying A's epoch ${epoch}`,
    () => {
      const last = statusOf(subscriber, subTls).lastApplied;
      return last?.outcome === 'applied' && last.sourceEpoch === epoch ? (last.digest as string) : undefined;
    },
    20_000,
    100,
  );
}

describe('the takeover plan at a standby site', () => {
  it('is computed again after each applied publication, on the CIB it left, with its freshness', async () => {
    const first = await appliedAtB();
    const afterFirst = await waitFor(
      'the plan on the CIB the publication left',
      () => {
        const p = plan();
        return p.cibVersion.epoch === epochOf(b) ? p : undefined;
      },
      10_000,
      100,
    );
    expect(afterFirst.actions.map((x) => x.resource)).toEqual(expect.arrayContaining(['vip-web', 'vip-db']));
    expect(afterFirst.freshness).toMatchObject({ source: 'siteA', digest: first, state: 'following' });
    expect(afterFirst.actions.some((x) => x.resource === 'extra-ip')).toBe(false);

    // A new ticket-bound resource at A: once B applied it, B's plan starts it too.
    a.tool('cibadmin', [
      '--create',
      '--scope',
      'resources',
      '--xml-text',
      '<primitive id="extra-ip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="extra-ip-ia"><nvpair id="extra-ip-ip" name="ip" value="192.0.2.30"/></instance_attributes></primitive>',
    ]);
    a.tool('cibadmin', [
      '--create',
      '--scope',
      'constraints',
      '--xml-text',
      '<rsc_ticket id="extra-needs-ticketA" rsc="extra-ip" ticket="ticketA" loss-policy="stop"/>',
    ]);
    const second = await appliedAtB();
    const afterSecond = await waitFor(
      'the plan after the second publication',
      () => {
        const p = plan();
        return p.digest !== afterFirst.digest && p.cibVersion.epoch === epochOf(b) ? p : undefined;
      },
      10_000,
      100,
    );
    expect(afterSecond.actions.map((x) => `${x.action} ${x.resource}`)).toContain('start extra-ip');
    expect(afterSecond.upToDate).toBe(true);
    expect(afterSecond.freshness.digest).toBe(second);
  });
});
