// The subscriber's page in a real browser: Debian's chromium driven by playwright-core, presenting the
// administrator's client certificate. It shows the plan; B's CIB changes only once Approve is clicked.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../services/approval/index.js';
import type { CertFiles } from '../network/helpers.js';
import { ADMIN, type ManualSites, startManualSites } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
// No outside network here: without these Chromium keeps trying to reach it.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const browserMissing = !existsSync(CHROMIUM);
if (browserMissing)
  console.warn(
    `test/approval/page.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install chromium; scripts/setup-debian.sh does)`,
  );

let sites: ManualSites;
let plan: PlanRecord;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];

/** A fresh browser profile presenting `tls` (or no client certificate) to the subscriber. */
async function browser(tls?: CertFiles): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'cibsync-chromium-'));
  profiles.push(profile);
  // launchPersistentContext is how playwright takes --user-data-dir: a fresh directory per context.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    ignoreHTTPSErrors: true,
    clientCertificates: tls
      ? [{ origin: sites.subscriber.url, cert: readFileSync(tls.cert), key: readFileSync(tls.key) }]
      : [],
  });
  contexts.push(context);
  return context;
}

describe.skipIf(browserMissing)('the subscriber’s page in chromium', () => {
  beforeAll(async () => {
    sites = await startManualSites();
    plan = await sites.pendingPlan();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await sites?.close();
    for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
  });

  it('is not served without a client certificate', async () => {
    const page = await (await browser()).newPage();
    const response = await page.goto(`${sites.subscriber.url}/`).catch((err: Error) => err);
    // Either the TLS handshake fails in the browser or the server answers 403 problem+json; never the page.
    if (!(response instanceof Error)) {
      expect(response?.status()).toBe(403);
      expect(await page.content()).toContain('CIBSYNC_TLS_CLIENT_REFUSED');
    }
    expect(await page.content()).not.toContain('Approve');
  });

  it('shows a viewer the plan but no buttons', async () => {
    const page = await (await browser(sites.viewerTls)).newPage();
    await page.goto(`${sites.subscriber.url}/`);
    await expect(page.locator('h1').textContent()).resolves.toContain('waits for your decision');
    expect(await page.locator('button').count()).toBe(0);
    await expect(page.locator('body').textContent()).resolves.toContain("is not on this subscriber's admins list");
  });

  it('shows the administrator the plan; the CIB changes only when Approve is clicked', async () => {
    const page = await (await browser(sites.adminTls)).newPage();
    const response = await page.goto(`${sites.subscriber.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      'A plan from site siteA waits for your decision. Nothing has been applied.',
    );
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('+ resource g-web added');
    expect(text).toContain('~ b1: app-role=primary (new)');
    expect(text).toMatch(/start ping:0 on b\d/);
    expect(text).toContain('candidate clean (this site now: clean)');
    expect(text).toContain(plan.id);
    expect(sites.b.hash()).toBe(sites.initialHash);

    await page.getByRole('button', { name: 'Approve and apply' }).click();
    await page.waitForURL(`${sites.subscriber.url}/?plan=${plan.id}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      `Plan from site siteA applied, approved by cert:CN=${ADMIN}.`,
    );
    expect(await page.locator('main').textContent()).toMatch(/approved\s*cert:CN=admin\.siteB/);
    expect(sites.b.hash()).not.toBe(sites.initialHash);
    expect(sites.b.read()).toContain('id="g-web"');

    // Deciding again (e.g. the form posted twice) is refused and says why.
    const again = await page.request.post(`${sites.subscriber.url}/plans/${plan.id}/approve`, {
      form: { revision: String(plan.decisions.length) },
      headers: { origin: sites.subscriber.url },
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('CIBSYNC_PLAN_NOT_PENDING');
  });
});
