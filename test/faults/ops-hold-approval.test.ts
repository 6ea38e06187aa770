// Item 9 (manual approval): a plan made before a hold must not be applied while the hold is in
// place: `cibsync hold` writes nothing to the CIB, so the plan's epoch check alone would let it through.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ManualSites, startManualSites } from '../approval/harness.js';
import { cli } from '../helpers/sites.js';
import { httpsRequest } from '../network/helpers.js';

let sites: ManualSites;

beforeAll(async () => {
  sites = await startManualSites();
}, 60_000);

afterAll(async () => {
  await sites?.close();
});

describe('manual approval while on hold', () => {
  it('refuses to approve a pending plan until cibsync resume', async () => {
    const plan = await sites.pendingPlan();
    const config = join(sites.b.dir, 'subscriber.json');
    expect(cli(['hold', '--reason', 'incident 42', '--config', config], { cibFile: sites.b.cibFile }).code).toBe(0);
    const approve = () =>
      httpsRequest(`${sites.subscriber.url}/v1/plans/${plan.id}/approve`, sites.adminTls, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });

    const refused = await approve();
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('CIBSYNC_ON_HOLD');
    expect(refused.body).toContain('incident 42');
    expect(sites.b.hash()).toBe(sites.initialHash);

    expect(cli(['resume', '--config', config], { cibFile: sites.b.cibFile }).code).toBe(0);
    const approved = await approve();
    expect(approved.status, approved.body).toBe(200);
    expect(sites.b.hash()).not.toBe(sites.initialHash);
  });
});
