// The publisher's table of subscriber sites, on a clock the test moves: who a site is (its
// certificate, not its claim), the verdicts and the lag, computed from the publications published here.
import { describe, expect, it } from 'vitest';
import type { CertificateIdentity } from '../../certs/inspect.js';
import { SiteTable } from '../../services/publisher/sites.js';
import type { SiteReport } from '../../services/wire/index.js';

const peer = (commonName: string): CertificateIdentity => ({
  subject: `CN=${commonName}`,
  commonName,
  fingerprint: `AA:${commonName}`,
  operator: false,
});

const report = (digest: string | undefined, extra: Partial<SiteReport> = {}): SiteReport => ({
  site: 'siteB',
  scope: 'configuration',
  ...(digest ? { applied: { digest, created: '2026-12-02T10:00:00.000Z', at: '2026-12-02T10:00:01.000Z' } } : {}),
  pendingPlans: [],
  ...extra,
});

function table() {
  let now = 1_000_000;
  const sites = new SiteTable({ siteB: ['subB'] }, 10_000, () => now);
  return { sites, tick: (ms: number) => (now += ms) };
}

describe('SiteTable', () => {
  it('names a site by the trust.publishers entry its certificate matches, else by its CN; the claim stays a claim', () => {
    const { sites } = table();
    sites.seen(peer('subB'), report(undefined));
    sites.seen(peer('subC'), report(undefined, { site: 'siteB' }));
    // A certificate named like the site, but not the one trusted for it: it does not pass for the site.
    sites.seen(peer('siteB'), report(undefined, { site: 'siteB' }));
    expect(sites.subscribers().map((s) => [s.site, s.verified, s.reportedSite])).toEqual([
      ['CN=siteB', false, 'siteB'],
      ['siteB', true, 'siteB'],
      ['subC', false, 'siteB'],
    ]);
  });

  it('current, behind (lag since the first publication it lacks), failing, not seen', () => {
    const { sites, tick } = table();
    expect(sites.subscribers()).toEqual([]);
    const done = sites.seen(peer('subB'), report(undefined));
    expect(sites.subscribers()[0]?.verdict).toBe('unknown');
    sites.published({ digest: 'd1', created: 'c1' });
    tick(1000);
    sites.published({ digest: 'd2', created: 'c2' });
    tick(2000);
    sites.published({ digest: 'd3', created: 'c3' });
    tick(500);
    done();
    // Never applied anything: it lacks the oldest publication known, published 3.5 s ago.
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'behind', lagSeconds: 3.5, connected: false });
    const again = sites.seen(peer('subB'), report('d1'));
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'behind', lagSeconds: 2.5, connected: true });
    again();
    sites.seen(peer('subB'), report('d3'))();
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'current', lagSeconds: 0 });
    const success = sites.subscribers()[0]?.lastSuccessAt;
    tick(100);
    sites.seen(peer('subB'), report('d3', { error: { code: 'CIBSYNC_X', message: 'm', at: 'a' } }))();
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'failing', lastSuccessAt: success });
    tick(10_001);
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'not-seen', seenAgeSeconds: 10.001 });
  });

  it('a site with a request held open is seen now, however long ago the request came', () => {
    const { sites, tick } = table();
    sites.published({ digest: 'd1', created: 'c1' });
    const done = sites.seen(peer('subB'), report('d1'));
    tick(60_000);
    expect(sites.subscribers()[0]).toMatchObject({ verdict: 'current', connected: true, seenAgeSeconds: 0 });
    done();
    tick(10_001);
    expect(sites.subscribers()[0]?.verdict).toBe('not-seen');
  });

  it('one daemon under a renewed certificate of another name is one site; another daemon is another', () => {
    const { sites } = table();
    sites.seen(peer('subB'), report(undefined, { instance: 'i1' }))();
    sites.seen(peer('subB-2027'), report(undefined, { instance: 'i1' }));
    expect(sites.subscribers().map((s) => s.site)).toEqual(['subB-2027']);
    sites.seen(peer('subB'), report(undefined, { instance: 'i2' }));
    expect(sites.subscribers().map((s) => s.site)).toEqual(['siteB', 'subB-2027']);
  });

  it('an unreadable report leaves the last one standing', () => {
    const { sites } = table();
    sites.published({ digest: 'd1', created: 'c1' });
    sites.seen(peer('subB'), report('d1'))();
    sites.seen(peer('subB'), undefined)();
    expect(sites.subscribers()[0]?.verdict).toBe('current');
  });
});
