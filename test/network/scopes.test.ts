// Active/active on file CIBs, as real processes on 127.0.0.1: site A holds ticket-db (which carries
// the global scope), site B holds ticket-web; each runs a publisher and a subscriber. Each site's
// scope reaches the other, a change at each side arrives at the same time as the other's and neither
// is lost, and once in step neither CIB moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../helpers/sites.js';
import { configurationOfSite, parts, scopeSite } from '../scopes/helpers.js';
import {
  type CertFiles,
  cliTo,
  type Daemon,
  httpsRequest,
  makePki,
  publisherConfig,
  startDaemon,
  statusOf,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

const SCOPES = { tickets: ['ticket-db', 'ticket-web'], global: 'ticket-db' };
let a: Site;
let b: Site;
const daemons: Daemon[] = [];
let subA: Daemon;
let subB: Daemon;
let tlsA: CertFiles;
let tlsB: CertFiles;
let pki: ReturnType<typeof makePki>;

/** A site's settings for both daemons: its name, the scopes, and trust in the other site's publisher. */
function settings(
  site: Site,
  name: string,
  peer: string,
  tls: CertFiles,
  publishers: string[],
  subscriber: Record<string, unknown> = {},
) {
  const sub = subscriberConfig(site, tls, publishers, { pollIntervalMs: 60_000, ...subscriber });
  const { ticket: _t, ...pub } = publisherConfig(site, tls);
  const { ticket: _s, ...rest } = sub;
  return {
    ...pub,
    ...rest,
    site: name,
    scopes: SCOPES,
    nodeMap: {},
    trust: { publishers: { [peer]: [peer === 'siteA' ? 'pubA' : 'pubB'] } },
  };
}

const epochOf = (site: Site) => /<cib [^>]*\bepoch="(\d+)"/.exec(site.read())?.[1];

beforeAll(async () => {
  pki = makePki();
  a = scopeSite('two-tickets.xml');
  b = scopeSite('two-tickets-b.xml');
  a.tool('crm_ticket', ['--ticket', 'ticket-db', '--grant', '--force']);
  b.tool('crm_ticket', ['--ticket', 'ticket-web', '--grant', '--force']);
  tlsA = pki.issue('pubA');
  tlsB = pki.issue('pubB');
  const pubA = await startDaemon(
    'publisher',
    writeConfig(a, 'pub', settings(a, 'siteA', 'siteB', tlsA, ['https://x'])),
    a.cibFile,
  );
  const pubB = await startDaemon(
    'publisher',
    writeConfig(b, 'pub', settings(b, 'siteB', 'siteA', tlsB, ['https://x'])),
    b.cibFile,
  );
  daemons.push(pubA, pubB);
  subA = await startDaemon(
    'subscriber',
    writeConfig(a, 'sub', settings(a, 'siteA', 'siteB', tlsA, [pubB.url])),
    a.cibFile,
  );
  subB = await startDaemon(
    'subscriber',
    writeConfig(b, 'sub', settings(b, 'siteB', 'siteA', tlsB, [pubA.url])),
    b.cibFile,
  );
  daemons.push(subA, subB);
}, 90_000);

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop();
  a?.cleanup();
  b?.cleanup();
});

/** Whether B holds A's ticket-db and global scopes, and A holds B's ticket-web scope. */
function inStep(): boolean {
  const atA = parts(configurationOfSite(a));
  const atB = parts(configurationOfSite(b));
  return (
    atA['ticket ticket-db'] === atB['ticket ticket-db'] &&
    atA.global === atB.global &&
    atA['ticket ticket-web'] === atB['ticket ticket-web']
  );
}

describe('active/active: two sites, two tickets, each the standby of the other', () => {
  it("each site takes the other's scope, keeping its own and its site-local parts", async () => {
    const localA = parts(configurationOfSite(a))['site-local'];
    const webAtB = parts(configurationOfSite(b))['ticket ticket-web'];
    const dbAtA = parts(configurationOfSite(a))['ticket ticket-db'];
    await waitFor('the two sites in step', inStep, 30_000, 200);
    expect(parts(configurationOfSite(a))['site-local']).toBe(localA);
    expect(parts(configurationOfSite(a))['ticket ticket-web']).toBe(webAtB);
    expect(parts(configurationOfSite(b))['ticket ticket-db']).toBe(dbAtA);
    // Each scope's status: B follows ticket-db and idles on ticket-web, which it holds.
    const s = statusOf(subB, tlsB);
    const scopes = [s, ...(s.otherScopes ?? [])];
    expect(scopes.map((x) => [x.scope, x.state]).sort()).toEqual([
      ['ticket-db', 'following'],
      ['ticket-web', 'idle'],
    ]);
  });

  it('a change at each side, at the same time: both arrive, neither is lost, then neither CIB moves', async () => {
    a.tool('crm_resource', [
      '--resource',
      'db-server',
      '--meta',
      '--set-parameter',
      'target-role',
      '--parameter-value',
      'Stopped',
    ]);
    b.tool('crm_resource', [
      '--resource',
      'web-server',
      '--set-parameter',
      'state',
      '--parameter-value',
      '/run/web-8181',
    ]);
    await waitFor(
      'both changes at both sites',
      () =>
        [a, b].every(
          (s) =>
            /id="db-server-meta_attributes-target-role"[^>]*value="Stopped"/.test(s.read()) ||
            /name="target-role" value="Stopped"/.test(s.read()),
        ) &&
        [a, b].every((s) => s.read().includes('/run/web-8181')) &&
        inStep(),
      30_000,
      200,
    );
    const epochs = [epochOf(a), epochOf(b)];
    // Long enough for several rounds of both feeds: no ping-pong between the sites.
    await new Promise((r) => setTimeout(r, 5000));
    expect([epochOf(a), epochOf(b)]).toEqual(epochs);
  }, 60_000);

  it('each scope has its own publication at the publisher; a ticket not listed is not served', async () => {
    const [pubA] = daemons;
    const db = await httpsRequest(`${pubA?.url}/v1/scopes/ticket-db/publication`, tlsB);
    expect(db.status).toBe(200);
    expect(db.body).toMatch(/scopes="ticket-db global"/);
    const web = await httpsRequest(`${pubA?.url}/v1/scopes/ticket-web/publication`, tlsB);
    expect(web.status).toBe(503);
    expect(web.body).toContain('CIBSYNC_TICKET_NOT_HELD');
    const other = await httpsRequest(`${pubA?.url}/v1/scopes/ticket-x/publication`, tlsB);
    expect(other.status).toBe(503);
    expect(other.body).toContain('CIBSYNC_SCOPE_NOT_SERVED');
  });

  it("replicate-now runs every scope's loop and answers each scope's outcome", async () => {
    await waitFor('the two sites in step', inStep, 30_000, 200);
    const r = cliTo(subB, tlsB, 'replicate-now', '--output-as=json');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as {
      scopes: { scope: string; result?: { outcome: string }; problem?: { code: string } }[];
    };
    expect(answer.scopes.map((s) => [s.scope, s.result?.outcome ?? s.problem?.code]).sort()).toEqual([
      ['ticket-db', 'unchanged'],
      ['ticket-web', 'CIBSYNC_LOCAL_HOLDS_TICKET'],
    ]);
    const text = cliTo(subB, tlsB, 'replicate-now');
    expect(text.stdout).toMatch(/scope ticket-db:\n/);
    expect(text.stdout).toContain('scope ticket-web: CIBSYNC_LOCAL_HOLDS_TICKET');
  }, 60_000);

  it("the subscriber's gauges are per scope, labelled with it", async () => {
    const m = await httpsRequest(`${subB.url}/metrics`, tlsB);
    expect(m.status).toBe(200);
    expect(m.body).toContain('cibsync_subscriber_idle{scope="ticket-db"} 0');
    expect(m.body).toContain('cibsync_subscriber_idle{scope="ticket-web"} 1');
    expect(m.body).toMatch(/cibsync_subscriber_source_epoch\{scope="ticket-db"\} [1-9]/);
    expect(m.body).not.toMatch(/^cibsync_subscriber_idle /m);
  });

  it("the subscriber's page shows each scope's state, without script", async () => {
    const page = await httpsRequest(`${subB.url}/`, tlsB);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h2>Scopes</h2>');
    expect(page.body).toMatch(/<td><code>ticket-db<\/code><\/td><td>following<\/td><td>site siteA, epoch/);
    expect(page.body).toMatch(/<td><code>ticket-web<\/code><\/td><td>idle: /);
    expect(page.body).not.toContain('<script');
  });

  it('a third site in manual approval: its pending plan names the scope it carries', async () => {
    const [pubA, pubB] = daemons;
    const c = scopeSite('two-tickets-b.xml');
    const tlsC = pki.issue('subC');
    const config = {
      ...settings(c, 'siteC', 'siteA', tlsC, [pubA?.url as string, pubB?.url as string], { approval: 'manual' }),
      trust: { publishers: { siteA: ['pubA'], siteB: ['pubB'] } },
    };
    const subC = await startDaemon('subscriber', writeConfig(c, 'sub', config), c.cibFile);
    try {
      const page = await waitFor(
        'a pending plan on the page at C',
        async () => {
          const answer = await httpsRequest(`${subC.url}/`, tlsC);
          return answer.body.includes('waits for your decision') ? answer.body : undefined;
        },
        30_000,
        200,
      );
      expect(page).toMatch(/A plan from site site[AB] \(scope ticket-(db \+ global|web)\) waits for your decision/);
      expect(page).toMatch(/<h2>Plan from site site[AB] \(scope ticket-(db \+ global|web)\), epoch/);
    } finally {
      await subC.stop();
      c.cleanup();
    }
  }, 60_000);
});
