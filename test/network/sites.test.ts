// One view of every site (issue 11, item 3): the subscribers report what they applied with their
// publication requests, and the publisher shows every site (GET /v1/sites, `cibsync sites`, the
// /sites page, the per-site metrics). Real daemons as processes on file CIBs, real TLS on loopback:
// the publisher at A (ticketA), B following it in automatic mode (its certificate trusted for siteB),
// and C in manual approval whose certificate (subC) is trusted for no site while its report claims
// to be siteB: it is shown under its certificate's name, never the name it claims.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SitesView, SubscriberSiteView } from '../../services/publisher/sites.js';
import { cli, makeSite, type Site, tempDir } from '../helpers/sites.js';
import {
  type CertFiles,
  changeBatchLimit,
  type Daemon,
  httpsRequest,
  makePki,
  makeSites,
  metricValue,
  publisherConfig,
  startDaemon,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

/** Short, so that "not seen" comes within the test; a long-polling subscriber always holds a request open meanwhile. */
const NOT_SEEN_AFTER_MS = 1500;

let a: Site;
let b: Site;
let c: Site;
let pubTls: CertFiles;
let publisher: Daemon;
let subscriberB: Daemon;
let subscriberC: Daemon;

/** `cibsync sites` at the ticket holder: the publisher's admin socket, no certificate. */
function sites(...extra: string[]) {
  return cli(['sites', '--socket', publisher.adminSocket as string, ...extra]);
}

function sitesJson(): SitesView {
  const r = sites('--output-as=json');
  if (r.code !== 0) throw new Error(`cibsync sites exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SitesView;
}

function siteOf(view: SitesView, name: string): SubscriberSiteView | undefined {
  return view.subscribers.find((s) => s.site === name);
}

/** Waits until `cibsync sites` shows `name` with a view that `check` accepts; returns the whole view. */
function waitForSite(what: string, name: string, check: (s: SubscriberSiteView, v: SitesView) => boolean) {
  return waitFor(
    what,
    () => {
      const view = sitesJson();
      const site = siteOf(view, name);
      return site && check(site, view) ? view : undefined;
    },
    30_000,
    200,
  );
}

async function metrics(): Promise<string> {
  return (await httpsRequest(`${publisher.url}/metrics`, pubTls)).body;
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  c = makeSite('site-b.xml');
  pubTls = pki.issue('pubA');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', {
      ...publisherConfig(a, pubTls, { notSeenAfterMs: NOT_SEEN_AFTER_MS }),
      // Each site's daemons share one certificate (docs/operations.md): subB is site B's.
      trust: { publishers: { siteB: ['subB'] } },
    }),
    a.cibFile,
  );
  // A transform that refuses one value: a change at A that B's import fails on.
  const transforms = tempDir('cibsync-transforms-');
  writeFileSync(
    join(transforms, 'refuse-666.xsl'),
    `<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="nvpair[@name='batch-limit' and @value='666']"><xsl:message terminate="yes">batch-limit 666 is refused here</xsl:message></xsl:template>
</xsl:stylesheet>
`,
  );
  subscriberB = await startDaemon(
    'subscriber',
    writeConfig(b, 'subscriber', { ...subscriberConfig(b, pki.issue('subB'), [publisher.url]), transforms }),
    b.cibFile,
  );
  // Manual approval: the first publication becomes a plan nobody approves, so C stays behind.
  subscriberC = await startDaemon(
    'subscriber',
    writeConfig(c, 'subscriber', subscriberConfig(c, pki.issue('subC'), [publisher.url], { approval: 'manual' })),
    c.cibFile,
  );
}, 90_000);

afterAll(async () => {
  await subscriberB?.stop();
  await subscriberC?.stop();
  await publisher?.stop();
  for (const site of [a, b, c]) site?.cleanup();
});

describe('cibsync sites at the ticket holder', () => {
  it('lists the publishing site and both subscriber sites: B current, C behind with its pending plan', async () => {
    const view = await waitForSite(
      'B current and C behind',
      'siteB',
      (s, v) => s.verdict === 'current' && siteOf(v, 'subC')?.pendingPlans.length === 1,
    );
    expect(view.publisher).toMatchObject({ site: 'siteA', tickets: ['ticketA'] });
    expect(view.publisher.notServing).toBeUndefined();
    const digest = view.publisher.publishes?.digest;
    expect(digest).toEqual(expect.any(String));
    const siteB = siteOf(view, 'siteB');
    expect(siteB).toMatchObject({
      verified: true,
      reportedSite: 'siteB',
      scope: 'configuration',
      verdict: 'current',
      lagSeconds: 0,
      applied: { digest },
      pendingPlans: [],
    });
    expect(siteB?.error).toBeUndefined();
    expect(siteB?.lastSuccessAt).toEqual(expect.any(String));
    // C says it is siteB; its certificate is trusted for no site: it is shown as subC, its claim beside it.
    const siteC = siteOf(view, 'subC');
    expect(siteC).toMatchObject({ verified: false, reportedSite: 'siteB', verdict: 'behind' });
    expect(siteC?.applied).toBeUndefined();
    expect(siteC?.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(view.subscribers.map((s) => s.site)).toEqual(['siteB', 'subC']);

    const text = sites();
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^site siteA: publisher; holds ticketA; publishes the configuration at epoch \d+\.\d+/m,
    );
    expect(text.stdout).toMatch(
      /^site siteB: current; applied [0-9a-f]{16}… at \S+; lag 0\.0 s; seen: (connected now|\S+); last error: none; pending plans: none$/m,
    );
    expect(text.stdout).toMatch(
      /^site subC \(reports itself as siteB\): behind by \d+ s; applied nothing yet; .*pending plans: \S+$/m,
    );
  });

  it('answers the same over HTTPS with a client certificate (--publisher URL)', () => {
    const r = cli([
      'sites',
      '--publisher',
      publisher.url,
      '--cert',
      pubTls.cert,
      '--key',
      pubTls.key,
      '--ca',
      pubTls.ca,
      '--output-as=json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as SitesView;
    expect(view.subscribers.map((s) => s.site)).toEqual(['siteB', 'subC']);
  });

  it('shows a site whose import failed as failing, with the code; current again after the next import', async () => {
    changeBatchLimit(a, 666);
    const view = await waitForSite('B failing', 'siteB', (s) => s.verdict === 'failing');
    expect(siteOf(view, 'siteB')?.error?.code).toMatch(/^CIBSYNC_TRANSFORM_/);
    expect(sites().stdout).toMatch(/^site siteB: failing; .*last error: CIBSYNC_TRANSFORM_\w+: .*666/m);
    expect(await metrics()).toContain('cibsync_site_verdict{site="siteB",verdict="failing"} 1');
    changeBatchLimit(a, 7);
    await waitForSite(
      'B current again',
      'siteB',
      (s, v) => s.verdict === 'current' && s.applied?.digest === v.publisher.publishes?.digest,
    );
  });

  it('serves the per-site metrics', async () => {
    await waitForSite('B current', 'siteB', (s) => s.verdict === 'current');
    const text = await metrics();
    expect(text).toContain('cibsync_site_verdict{site="siteB",verdict="current"} 1');
    expect(text).toContain('cibsync_site_verdict{site="subC",verdict="behind"} 1');
    expect(metricValue(text, 'cibsync_site_lag_seconds{site="siteB"}')).toBe(0);
    expect(metricValue(text, 'cibsync_site_lag_seconds{site="subC"}')).toBeGreaterThan(0);
    expect(metricValue(text, 'cibsync_site_last_success_timestamp_seconds{site="siteB"}')).toBeGreaterThan(0);
    expect(metricValue(text, 'cibsync_site_last_success_timestamp_seconds{site="subC"}')).toBe(0);
  });

  it('serves the page: HTML with no script, every site and its verdict', async () => {
    const page = await httpsRequest(`${publisher.url}/sites`, pubTls);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain('<td class="verdict current">current</td>');
    expect(page.body).toMatch(/<td class="verdict behind">behind by \d+ s<\/td>/);
    expect(page.body).toContain('(reports itself as siteB)');
    expect(page.body).toMatch(/holds|ticketA/);
  });

  it('turns a stopped subscriber to "not seen" within publisher.notSeenAfterMs, and the metric shows it', async () => {
    await subscriberB.stop();
    const view = await waitForSite('B not seen', 'siteB', (s) => s.verdict === 'not-seen');
    expect(siteOf(view, 'siteB')?.connected).toBe(false);
    expect(siteOf(view, 'subC')?.verdict).toBe('behind');
    expect(sites().stdout).toMatch(/^site siteB: not seen for \d+ s; /m);
    const text = await metrics();
    expect(text).toContain('cibsync_site_verdict{site="siteB",verdict="not-seen"} 1');
    expect(text).toContain('cibsync_site_verdict{site="siteB",verdict="current"} 0');
    expect(metricValue(text, 'cibsync_site_seen_age_seconds{site="siteB"}')).toBeGreaterThan(NOT_SEEN_AFTER_MS / 1000);
  });

  it('names the socket when no publisher answers on it', () => {
    const r = cli(['sites', '--socket', join(a.dir, 'no-such.sock')]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('CIBSYNC_ADMIN_SOCKET_UNREACHABLE: no admin socket at');
    expect(r.stderr).toContain('is the publisher running on this node?');
  });
});
