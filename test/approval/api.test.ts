// Manual approval on the subscriber daemon: plans made from what the publisher serves, decided over
// the HTTPS API and through `cibsync plan --subscriber`, recorded under the client certificate.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../services/approval/index.js';
import { cli } from '../helpers/sites.js';
import { batchLimitOf, type CertFiles, changeBatchLimit, httpsRequest } from '../network/helpers.js';
import { ADMIN, type ManualSites, startManualSites } from './harness.js';

let sites: ManualSites;

beforeAll(async () => {
  sites = await startManualSites();
}, 60_000);

afterAll(async () => {
  await sites?.close();
});

const api = (
  path: string,
  tls: Partial<CertFiles> & { ca: string } = sites.adminTls,
  options: Parameters<typeof httpsRequest>[2] = {},
) => httpsRequest(`${sites.subscriber.url}${path}`, tls, options);

const post = (path: string, body: unknown, tls: CertFiles = sites.adminTls, headers: Record<string, string> = {}) =>
  api(path, tls, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** `cibsync COMMAND … --subscriber URL` with a client certificate. */
function cliAt(args: string[], tls: CertFiles = sites.adminTls) {
  return cli([...args, '--subscriber', sites.subscriber.url, '--cert', tls.cert, '--key', tls.key, '--ca', tls.ca]);
}

let first: PlanRecord;

describe('manual approval on the subscriber', () => {
  it('turns the publication into a pending plan and leaves B’s CIB alone; status says it waits for approval', async () => {
    first = await sites.pendingPlan();
    expect(first).toMatchObject({
      status: 'pending',
      source: { site: 'siteA' },
      decisions: [{ action: 'created', by: 'subscriber' }],
    });
    expect(sites.b.hash()).toBe(sites.initialHash);

    const status = cliAt(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`pending plan ${first.id} from site siteA`);
    expect(status.stdout).toContain('waits for approval');
    expect(JSON.parse(cliAt(['status', '--output-as=json']).stdout)).toMatchObject({
      approval: 'manual',
      pendingPlan: { id: first.id },
    });

    expect((await api(`/v1/plans/${first.id}?format=text`)).body).toMatch(/\+ resource g-web added/);
    expect((await api(`/v1/plans/${first.id}?format=xml`)).body).toContain(`<plan id="${first.id}" status="pending"`);
    expect(JSON.parse((await api('/v1/plans')).body).map((p: PlanRecord) => p.id)).toEqual([first.id]);
    const shown = cliAt(['plan', 'show']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Plan ${first.id}: PENDING`);
  });

  it('refuses decisions from a non-admin certificate, from another site’s page and without a certificate; problem codes carry the reason', async () => {
    const refusals = [
      [await post(`/v1/plans/${first.id}/approve`, {}, sites.viewerTls), 403, 'CIBSYNC_TLS_NOT_ALLOWED'],
      [
        await post(`/v1/plans/${first.id}/approve`, {}, sites.adminTls, { origin: 'https://evil.example' }),
        403,
        'CIBSYNC_CROSS_ORIGIN',
      ],
      [
        await api(`/v1/plans/${first.id}/approve`, { ca: sites.ca }, { method: 'POST' }),
        403,
        'CIBSYNC_TLS_CLIENT_REFUSED',
      ],
      [await api('/v1/plans/0000aaaa-0000'), 404, 'CIBSYNC_PLAN_NOT_FOUND'],
    ] as const;
    for (const [answer, status, code] of refusals) {
      expect(answer.status, answer.body).toBe(status);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(answer.body).code).toBe(code);
    }
    // A viewer may read.
    expect((await api(`/v1/plans/${first.id}`, sites.viewerTls)).status).toBe(200);
    expect(sites.b.hash()).toBe(sites.initialHash);
    expect(JSON.parse((await api(`/v1/plans/${first.id}`)).body).status).toBe('pending');
  });

  it('edit re-plans; an approval that saw the plan before the edit is refused; a newer publication supersedes the plan', async () => {
    const candidate = (await api(`/v1/plans/${first.id}/candidate`)).body;
    expect(candidate).toContain('value="192.0.2.20"');
    const edited = await api(`/v1/plans/${first.id}/edit`, sites.adminTls, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: candidate.replace('value="192.0.2.20"', 'value="192.0.2.99"'),
    });
    expect(edited.status, edited.body).toBe(200);
    expect(JSON.parse(edited.body)).toMatchObject({
      edited: true,
      decisions: [{ action: 'created' }, { action: 'edited', by: `cert:CN=${ADMIN}` }],
    });

    const broken = await api(`/v1/plans/${first.id}/edit`, sites.adminTls, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<resources/>',
    });
    expect(broken.status).toBe(422);
    expect(JSON.parse(broken.body).code).toBe('CIBSYNC_TRANSFORM_OUTPUT_INVALID');

    const stale = await post(`/v1/plans/${first.id}/approve`, { revision: 1 });
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.body).code).toBe('CIBSYNC_PLAN_CHANGED');
    expect(sites.b.hash()).toBe(sites.initialHash);

    changeBatchLimit(sites.a, 55);
    const second = await sites.pendingPlan(first.id);
    expect(JSON.parse((await api(`/v1/plans/${first.id}`)).body).status).toBe('superseded');
    const late = await post(`/v1/plans/${first.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(JSON.parse(late.body).code).toBe('CIBSYNC_PLAN_NOT_PENDING');

    const rejected = cliAt(['plan', 'reject', second.id, '--reason', 'not during the incident']);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain(`Plan ${second.id}: REJECTED`);
    expect(rejected.stdout).toContain(`rejected by cert:CN=${ADMIN}: not during the incident`);
    expect(sites.b.hash()).toBe(sites.initialHash);
  });

  it('plan --from the publisher URL is a dry run with the subscriber’s certificate: the same plan, nothing recorded', () => {
    const before = cliAt(['plan', 'list']).stdout;
    // The subscriber's configuration brings the trust the publication is checked against.
    const config = join(sites.b.dir, 'subscriber.json');
    const r = cli(
      [
        'plan',
        '--from',
        sites.publisher.url,
        '--config',
        config,
        '--cert',
        sites.subTls.cert,
        '--key',
        sites.subTls.key,
        '--ca',
        sites.subTls.ca,
        '--state-dir',
        sites.b.stateDir,
        '--node-map',
        'a1=b1,a2=b2',
      ],
      { cibFile: sites.b.cibFile },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Dry run \(nothing recorded, nothing written\)/);
    expect(r.stdout).toMatch(/\+ resource g-web added/);
    expect(cliAt(['plan', 'list']).stdout).toBe(before);
    expect(sites.b.hash()).toBe(sites.initialHash);
  });

  it('replicate-now answers with the plan; approve through the CLI applies it and status shows it as last applied', async () => {
    changeBatchLimit(sites.a, 56);
    // The plan before was rejected: whatever is pending now is this publication's.
    const third = await sites.pendingPlan();
    const again = cliAt(['replicate-now']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^already-pending: ${third.id}`));
    expect(sites.b.hash()).toBe(sites.initialHash);

    const approved = cliAt(['plan', 'approve', third.id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`Plan ${third.id}: APPLIED`);
    expect(approved.stdout).toContain(`approved by cert:CN=${ADMIN}`);
    expect(sites.b.read()).toContain('id="g-web"');
    expect(batchLimitOf(sites.b)).toBe('56');
    const status = JSON.parse(cliAt(['status', '--output-as=json']).stdout);
    expect(status.lastApplied).toMatchObject({ plan: third.id, sourceSite: 'siteA', outcome: 'applied' });
    expect(status.pendingPlan).toBeUndefined();
  });
});
