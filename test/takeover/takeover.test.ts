// The takeover plan and grant at a standby site (docs/takeover.md), on the subscriber daemon as a
// process over real mutual TLS, against a file CIB with two servers online and ticket-bound resources
// (a primitive, a group, a clone) whose ticket is revoked, and one resource bound to no ticket.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TakeoverView } from '../../services/takeover/plan.js';
import type { TakeoverDecision } from '../../services/takeover/record.js';
import { cli, FIXTURES, makeSite, type Site } from '../helpers/sites.js';
import {
  type CertFiles,
  type Daemon,
  httpsRequest,
  makePki,
  startDaemon,
  subscriberConfig,
  TICKET,
  waitFor,
  writeConfig,
} from '../network/helpers.js';

const FIXTURE = join(FIXTURES, 'takeover', 'standby.xml');
/** The resources that ticketA binds, as crm_simulate names them (a clone's instances with their number). */
const BOUND = /^(db-ip|app-fs|app|agent:\d+)$/;

let b: Site;
let subscriber: Daemon;
let operator: CertFiles;
let viewer: CertFiles;
let configFile: string;

beforeAll(async () => {
  const pki = makePki();
  b = makeSite(FIXTURE);
  const subTls = pki.issue('subB');
  operator = pki.issue('operator.siteB', { usage: 'client', operator: true });
  viewer = pki.issue('viewer.siteB', { usage: 'client' });
  // Booth's configurations here declare another ticket only: ticketA is granted with crm_ticket.
  const boothConfigDir = join(b.dir, 'booth');
  mkdirSync(boothConfigDir);
  writeFileSync(join(boothConfigDir, 'booth.conf'), 'transport = UDP\nsite = 192.0.2.1\nticket = "ticketB"\n');
  // A publisher that never answers (nothing listens on port 1): this site only stands by.
  const config = subscriberConfig(b, subTls, ['https://127.0.0.1:1'], { boothConfigDir });
  configFile = writeConfig(b, 'subscriber', config);
  subscriber = await startDaemon('subscriber', configFile, b.cibFile);
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  b?.cleanup();
});

/** `cibsync takeover …` against the subscriber with the operator's certificate. */
function takeover(args: string[], tls: CertFiles = operator) {
  return cli([
    'takeover',
    ...args,
    '--subscriber',
    subscriber.url,
    '--cert',
    tls.cert,
    '--key',
    tls.key,
    '--ca',
    tls.ca,
  ]);
}

function planJson(): TakeoverView {
  const r = takeover(['plan', TICKET, '--output-as=json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TakeoverView;
}

/** crm_simulate's own answer for a copy of the CIB with the ticket granted: its rsc_action lines in order. */
function simulatedGrant(site: Site): string[] {
  const copy = join(site.dir, 'simulate-copy.xml');
  copyFileSync(site.cibFile, copy);
  const xml = execFileSync('crm_simulate', ['--run', '--xml-file', copy, '--ticket-grant', TICKET, '--output-as=xml'], {
    encoding: 'utf8',
  });
  return [...xml.matchAll(/<rsc_action action="([^"]+)" resource="([^"]+)" node="([^"]+)"/g)].map(
    (m) => `${m[1]} ${m[2]} ${m[3]}`,
  );
}

function ticketGranted(site: Site): boolean {
  return /granted=true/.test(site.tool('crm_ticket', ['--ticket', TICKET, '--details']));
}

function decisionsOnDisk(site: Site): TakeoverDecision[] {
  return JSON.parse(readFileSync(join(site.stateDir, 'takeover', 'decisions.json'), 'utf8')) as TakeoverDecision[];
}

describe('takeover plan', () => {
  it("lists the start actions of the ticket's resources in crm_simulate's order, per server, with the verdict and freshness", () => {
    const plan = planJson();
    const expected = simulatedGrant(b).filter((line) => BOUND.test(line.split(' ')[1] as string));
    expect(expected).toHaveLength(5);
    expect(plan.actions.map((a) => `${a.action} ${a.resource} ${a.node}`)).toEqual(expected);
    // The resource bound to no ticket starts anyway: granting the ticket is not why.
    expect(plan.actions.some((a) => a.resource === 'site-tool')).toBe(false);
    expect(plan.servers.find((s) => s.server === 'b2')?.start).toEqual(
      expect.arrayContaining(['db-ip', 'app-fs', 'app']),
    );
    expect(plan).toMatchObject({
      ticket: TICKET,
      upToDate: true,
      ticketState: { granted: false },
      // crm_verify's own word on this CIB (fencing is off in the fixture).
      verdict: { level: 'warnings', warnings: ['Blind faith: not fencing unseen nodes'] },
      freshness: { state: expect.any(String) },
    });
    expect(plan.freshness.source).toBeUndefined();
    expect(plan.digest).toMatch(/^[0-9a-f]{64}$/);

    const text = takeover(['plan', TICKET]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Takeover plan for ${TICKET}: 5 resource action(s), crm_verify warnings`);
    expect(text.stdout).toContain(`  1. ${expected[0]?.replace(/ (\S+)$/, ' on $1')}`);
    expect(text.stdout).toContain('Replica: nothing applied here yet');
  });

  it('is on the page, with the grant button for an operator and none for a viewer', async () => {
    const page = await httpsRequest(`${subscriber.url}/`, operator);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Takeover: if ${TICKET} were granted here`);
    expect(page.body).toMatch(/<li>start db-ip on b2<\/li>/);
    expect(page.body).toContain(`action="/takeover/${TICKET}/grant"`);
    const asViewer = await httpsRequest(`${subscriber.url}/`, viewer);
    expect(asViewer.body).not.toContain(`action="/takeover/${TICKET}/grant"`);
  });
});

describe('takeover grant', () => {
  it('refuses a viewer and a page post naming another plan; nothing is granted, the CIB byte-identical', async () => {
    const before = readFileSync(b.cibFile);
    const refused = takeover(['grant', TICKET], viewer);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('CIBSYNC_TLS_NOT_ALLOWED');
    const posted = await httpsRequest(`${subscriber.url}/takeover/${TICKET}/grant`, operator, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `plan=${'0'.repeat(64)}`,
    });
    expect(posted.status).toBe(409);
    expect(posted.body).toContain('CIBSYNC_TAKEOVER_PLAN_STALE');
    expect(posted.body).toContain('name="confirm"');
    expect(ticketGranted(b)).toBe(false);
    expect(readFileSync(b.cibFile).equals(before)).toBe(true);
  });

  it('refuses a ticket name that is not one (CIBSYNC_USAGE, exit 2) for the plan and the grant; the CIB byte-identical', () => {
    const before = readFileSync(b.cibFile);
    for (const sub of ['plan', 'grant']) {
      const r = takeover([sub, "ticket'A"]);
      expect(r.code, `${sub}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/CIBSYNC_USAGE: .*'ticket'A' is not a ticket name/);
    }
    expect(readFileSync(b.cibFile).equals(before)).toBe(true);
  });

  it('refuses once the CIB changed after the plan, until --confirm; then grants through crm_ticket and records it', () => {
    const plan = planJson();
    b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '7']);

    const changed = readFileSync(b.cibFile);
    const refused = takeover(['grant', TICKET]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('CIBSYNC_TAKEOVER_PLAN_STALE');
    expect(refused.stderr).toContain('the CIB changed since the plan was computed');
    expect(ticketGranted(b)).toBe(false);
    expect(readFileSync(b.cibFile).equals(changed), 'a refused grant writes nothing').toBe(true);

    const granted = takeover(['grant', TICKET, '--confirm', '--output-as=json']);
    expect(granted.code, granted.stderr).toBe(0);
    expect(ticketGranted(b)).toBe(true);
    const decision = JSON.parse(granted.stdout) as TakeoverDecision;
    expect(decision).toMatchObject({
      ticket: TICKET,
      by: 'cert:OU=cibsync-operator, CN=operator.siteB',
      outcome: 'granted',
      method: 'crm_ticket',
      planDigest: plan.digest,
      confirmed: true,
    });
    // The plan read before (named by --plan) is no longer the current one: the grant recomputed it.
    const named = takeover(['grant', TICKET, '--plan', plan.digest.slice(0, 16)]);
    expect(named.code).toBe(6);
    expect(named.stderr).toContain(`the plan shown (${plan.digest.slice(0, 16)}…) is not the current one`);

    const onDisk = decisionsOnDisk(b).slice(-3, -1);
    expect(onDisk.map((d) => d.outcome)).toEqual(['refused', 'granted']);
    expect(onDisk[0]).toMatchObject({
      by: 'cert:OU=cibsync-operator, CN=operator.siteB',
      planDigest: plan.digest,
      error: { code: 'CIBSYNC_TAKEOVER_PLAN_STALE' },
    });
  });

  it('grants without --confirm while the plan is up to date (a revoke moves only the status); the plan shows the decisions', async () => {
    b.tool('crm_ticket', ['--ticket', TICKET, '--revoke', '--force']);
    // The revoke made the subscriber compute the plan again, on the CIB as it now is.
    const plan = await waitFor(
      'a plan computed after the grant',
      () => {
        const p = planJson();
        return p.upToDate && !p.ticketState.granted && p.decisions.length >= 4 ? p : undefined;
      },
      10_000,
      100,
    );
    // TICKET defaults to the configuration's ticket; --plan names the plan just read, which is current.
    const r = takeover(['grant', '--config', configFile, '--plan', plan.digest.slice(0, 16)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${TICKET} granted here via crm_ticket by cert:OU=cibsync-operator, CN=operator.siteB`);
    expect(ticketGranted(b)).toBe(true);
    expect(decisionsOnDisk(b).at(-1)).toMatchObject({ outcome: 'granted', confirmed: false, planDigest: plan.digest });
    const after = planJson();
    expect(after.decisions.map((d) => d.outcome)).toEqual(['refused', 'refused', 'granted', 'refused', 'granted']);
  });

  it('on the page: an out-of-date plan asks for the confirm box, and the grant with it is recorded as confirmed', async () => {
    b.tool('crm_ticket', ['--ticket', TICKET, '--revoke', '--force']);
    // The revoke changed the ticket here: the plan is computed again for it.
    const plan = await waitFor(
      'the plan after the revoke',
      () => {
        const p = planJson();
        return p.ticketState.granted ? undefined : p;
      },
      10_000,
      100,
    );
    b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '9']);
    const form = (fields: string) =>
      httpsRequest(`${subscriber.url}/takeover/${TICKET}/grant`, operator, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields,
      });
    const refused = await form(`plan=${plan.digest}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('CIBSYNC_TAKEOVER_PLAN_STALE');
    expect(refused.body).toMatch(/<input type="checkbox" name="confirm" value="yes" required>/);
    expect(ticketGranted(b)).toBe(false);

    const confirmed = await form(`plan=${plan.digest}&confirm=yes`);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe('/#takeover');
    expect(ticketGranted(b)).toBe(true);
    expect(decisionsOnDisk(b).at(-1)).toMatchObject({ outcome: 'granted', confirmed: true, planDigest: plan.digest });
  });
});
