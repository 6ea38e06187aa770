// Item 11 of issue 14: in manual mode without subscriber.admins, plan decisions come only from
// operator certificates (`cibsync certs issue --operator`), never from a daemon's certificate (the
// site's own subscriber, a publisher), although both are signed by the same CA and allowed to connect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ManualSites, startManualSites } from '../approval/harness.js';
import { type CertFiles, httpsRequest } from '../network/helpers.js';

let sites: ManualSites;

beforeAll(async () => {
  sites = await startManualSites({ admins: [] });
}, 60_000);

afterAll(async () => {
  await sites?.close();
});

const decide = (path: string, tls: CertFiles, body = '{}') =>
  httpsRequest(`${sites.subscriber.url}${path}`, tls, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

describe('plan decisions without subscriber.admins', () => {
  it('refuses the daemons’ certificates, over the API and the page, and writes nothing', async () => {
    const plan = await sites.pendingPlan();
    for (const [who, tls] of [
      ['the site’s own subscriber', sites.subTls],
      ['site A’s publisher', sites.pubTls],
      ['a plain client certificate', sites.viewerTls],
    ] as const) {
      for (const action of ['approve', 'reject']) {
        const answer = await decide(`/v1/plans/${plan.id}/${action}`, tls);
        expect(answer.status, `${who} ${action}`).toBe(403);
        expect(JSON.parse(answer.body), `${who} ${action}`).toMatchObject({ code: 'CIBSYNC_TLS_NOT_ALLOWED' });
        expect(JSON.parse(answer.body).detail).toMatch(/not an operator certificate/);
      }
      const form = await httpsRequest(`${sites.subscriber.url}/plans/${plan.id}/approve`, tls, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'revision=1',
      });
      expect(form.status, `${who} form`).toBe(403);
      const page = await httpsRequest(`${sites.subscriber.url}/`, tls);
      expect(page.body, `${who} page`).not.toMatch(/<form[^>]*approve/);
    }
    expect(sites.b.hash()).toBe(sites.initialHash);
    const still = JSON.parse(
      (await httpsRequest(`${sites.subscriber.url}/v1/plans/${plan.id}`, sites.operatorTls)).body,
    );
    expect(still).toMatchObject({ status: 'pending', decisions: [{ action: 'created' }] });
  });

  it('takes the decision of an operator certificate, recorded under its subject', async () => {
    const plan = await sites.pendingPlan();
    const answer = await decide(`/v1/plans/${plan.id}/approve`, sites.operatorTls);
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 'applied',
      decisions: [{ action: 'created' }, { action: 'approved', by: 'cert:OU=cibsync-operator, CN=operator.siteB' }],
    });
    expect(sites.b.hash()).not.toBe(sites.initialHash);
  });
});
