// The readiness gate for booth, with real parts: a publisher at A and subscribers at B on loopback over
// mutual TLS, file-backed CIBs, the built `cibsync takeover ready`, and the shipped before-acquire
// handler run the way boothd runs it (its environment, another working directory, exit status read).
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanStore } from '../../services/approval/index.js';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import type { ReadinessVerdict } from '../../services/subscriber/readiness.js';
import { CLI, cli, makeSite, REPO, type Site, tempDir } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  type Daemon,
  grant,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  subscriberConfig,
  TICKET,
  waitFor,
  writeConfig,
} from './helpers.js';

const HANDLER = join(REPO, 'agents/cibsync-before-acquire');
/** Short enough to see a stale replica within a test, well above the feed's confirmations (every waitMs). */
const MAX_AGE_MS = 4000;
const FEED = { waitMs: 250, minRoundIntervalMs: 100 };

let a: Site;
let b1: Site;
let b2: Site;
let b3: Site;
let b4: Site;
let pki: ReturnType<typeof makePki>;
let publisherFile: string;
let publisher: RunningPublisher | undefined;
/** B1: the subscriber as a process, on a fixed port, so that the handler finds it from the config alone. */
let daemon: Daemon;
let b1Config: string;
let b2Sub: RunningSubscriber;
let b3Sub: RunningSubscriber;
let b4Sub: RunningSubscriber;
const configs: Record<string, string> = {};
let subTls: CertFiles;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `cibsync takeover ready` against B1 (from its config) or another subscriber (its URL). Not spawnSync:
 * the in-process subscribers answer on this thread.
 */
function ready(config: string, url?: string): Promise<{ code: number; verdict: ReadinessVerdict; stderr: string }> {
  const args = ['takeover', 'ready', TICKET, '--config', config, ...(url ? ['--subscriber', url] : [])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args, '--output-as=json'],
      { env: { ...process.env, CIBSYNC_LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? -1) : 0;
        resolve({ code, verdict: JSON.parse(stdout || '{}') as ReadinessVerdict, stderr });
      },
    );
  });
}
const codes = (v: ReadinessVerdict) => (v.reasons ?? []).map((r) => r.code);

function waitForVerdict(what: string, config: string, url: string | undefined, test: (v: ReadinessVerdict) => boolean) {
  return waitFor(
    what,
    async () => {
      const r = await ready(config, url);
      return test(r.verdict) ? r : undefined;
    },
    20_000,
    200,
  );
}

async function startA(port: number): Promise<void> {
  publisher = await startPublisher(loadConfig(publisherFile), a.pacemaker, silentLogger);
  expect(publisher.url).toBe(`https://127.0.0.1:${port}`);
}

beforeAll(async () => {
  pki = makePki();
  ({ a, b: b1 } = makeSites());
  [b2, b3, b4] = [makeSite('site-b.xml'), makeSite('site-b.xml'), makeSite('site-b.xml')];
  const pubPort = await freePort();
  publisherFile = writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA'), { port: pubPort }));
  await startA(pubPort);
  const publishers = [`https://127.0.0.1:${pubPort}`];
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
  subTls = pki.issue('subB');
  const config = (site: Site, name: string, extra: Record<string, unknown>, top: Record<string, unknown> = {}) => {
    configs[name] = writeConfig(site, name, {
      ...subscriberConfig(site, subTls, publishers, { ...FEED, ...extra }),
      transforms,
      ...top,
    });
    return configs[name] as string;
  };
  b1Config = config(b1, 'b1', { port: await freePort(), readiness: { maxAgeMs: MAX_AGE_MS } });
  daemon = await startDaemon('subscriber', b1Config, b1.cibFile);
  const inProcess = (site: Site, file: string) => startSubscriber(loadConfig(file), site.pacemaker, silentLogger);
  b2Sub = await inProcess(b2, config(b2, 'b2', { readiness: { refuseAfterFailedImport: false, maxAgeMs: 0 } }));
  // Manual approval: the first publication becomes a plan that nobody approves.
  const manual = { approval: 'manual' };
  b3Sub = await inProcess(b3, config(b3, 'b3', { ...manual, readiness: { requireApplied: false, maxAgeMs: 0 } }));
  b4Sub = await inProcess(
    b4,
    config(b4, 'b4', { ...manual, readiness: { requireApplied: false, maxAgeMs: 0, refusePendingPlan: false } }),
  );
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  for (const s of [b2Sub, b3Sub, b4Sub]) await s?.close();
  await publisher?.close();
  for (const site of [a, b1, b2, b3, b4]) site?.cleanup();
});

describe('takeover ready', () => {
  it('refuses while a plan waits for approval; not with refusePendingPlan: false', async () => {
    const r = await waitForVerdict('B3 refusing', configs.b3 as string, b3Sub.url, (v) => v.ready === false);
    // requireApplied and maxAgeMs are off at B3: nothing applied, nothing confirmed, only the plan counts.
    expect(codes(r.verdict), JSON.stringify(r)).toEqual(['CIBSYNC_READY_PLAN_PENDING']);
    expect(r.verdict.reasons[0]?.message).toMatch(/plan \S+ \(site siteA, epoch [\d.]+\) waits for approval since /);
    await waitFor('a plan at B4', () => new PlanStore(b4.stateDir).pending(), 20_000, 100);
    expect(await ready(configs.b4 as string, b4Sub.url)).toMatchObject({ code: 0, verdict: { ready: true } });
  });

  it('is ready once the publication is applied and a publisher confirmed it; the answer names the scope', async () => {
    const r = await waitForVerdict('B1 ready', b1Config, undefined, (v) => v.ready === true);
    expect(r.code).toBe(0);
    expect(r.verdict.scopes).toEqual([
      expect.objectContaining({ scope: TICKET, sourceSite: 'siteA', digest: expect.any(String) }),
    ]);
    expect(r.verdict.scopes[0]?.confirmedAt).toEqual(expect.any(String));
  });

  it('refuses after a failed import, naming the failure; not with refuseAfterFailedImport: false', async () => {
    changeBatchLimit(a, 666);
    const r = await waitForVerdict('B1 refusing', b1Config, undefined, (v) =>
      codes(v).includes('CIBSYNC_READY_IMPORT_FAILED'),
    );
    expect(r.code).toBe(10);
    expect(r.verdict.reasons.find((x) => x.code === 'CIBSYNC_READY_IMPORT_FAILED')?.message).toMatch(
      /failed: CIBSYNC_TRANSFORM_\w+: .*666/,
    );
    await waitFor('the failed import at B2', () => b2Sub.status.lastImportError, 20_000, 100);
    const b2 = await ready(configs.b2 as string, b2Sub.url);
    expect(b2, JSON.stringify(b2)).toMatchObject({ code: 0, verdict: { ready: true } });
    // The next import that goes through lifts it.
    changeBatchLimit(a, 7);
    await waitForVerdict('B1 ready again', b1Config, undefined, (v) => v.ready === true);
  });

  it('refuses a stale replica (publisher stopped, a change at A) with the reason, in status too; ready after replication', async () => {
    const port = Number(new URL(publisher?.url as string).port);
    await publisher?.close();
    publisher = undefined;
    changeBatchLimit(a, 77);
    const r = await waitForVerdict('B1 stale', b1Config, undefined, (v) => codes(v).includes('CIBSYNC_READY_STALE'));
    expect(r.code).toBe(10);
    expect(codes(r.verdict), JSON.stringify(r.verdict)).toEqual(['CIBSYNC_READY_STALE']);
    expect(r.verdict.reasons[0]?.message).toMatch(
      /last confirmed .* ago .*limit is 4 s \(subscriber\.readiness\.maxAgeMs\)/,
    );
    // maxAgeMs 0: no age limit.
    expect(await ready(configs.b2 as string, b2Sub.url)).toMatchObject({ code: 0, verdict: { ready: true } });
    const status = cli(['status', '--config', b1Config]);
    expect(status.stdout).toMatch(
      /last readiness refusal \(booth's before-acquire handler\): ticket ticketA at \S+: CIBSYNC_READY_STALE: /,
    );
    const json = JSON.parse(cli(['status', '--config', b1Config, '--output-as=json']).stdout);
    expect(json.readiness.lastRefusal).toMatchObject({ ticket: TICKET, ready: false, at: expect.any(String) });
    await startA(port);
    await waitFor('batch-limit 77 at B1', () => (batchLimitOf(b1) === '77' ? true : undefined), 20_000, 100);
    const after = await waitForVerdict('B1 ready after replication', b1Config, undefined, (v) => v.ready === true);
    expect(after.code).toBe(0);
  });

  it('a ticket this subscriber does not replicate is not vouched for', () => {
    const r = cli(['takeover', 'ready', 'otherTicket', '--config', b1Config]);
    expect(r.code).toBe(10);
    expect(r.stdout).toContain(
      'CIBSYNC_READY_OTHER_TICKET: this subscriber replicates ticket ticketA, not otherTicket',
    );
  });
});

describe("booth's before-acquire handler", () => {
  let env: NodeJS.ProcessEnv;
  let syslog: string;
  let cwd: string;

  beforeAll(() => {
    // What boothd sets (src/handler.c), on a minimal environment; the cibsync and logger it finds.
    const bin = tempDir('cibsync-handler-bin-');
    syslog = join(bin, 'syslog');
    writeFileSync(join(bin, 'cibsync'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    writeFileSync(join(bin, 'logger'), `#!/bin/sh\nprintf '%s\\n' "$*" >>"${syslog}"\n`);
    for (const f of ['cibsync', 'logger']) chmodSync(join(bin, f), 0o755);
    cwd = tempDir('cibsync-booth-cores-');
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      BOOTH_TICKET: TICKET,
      BOOTH_LOCAL: '127.0.0.2',
      BOOTH_CONF_NAME: 'booth',
      BOOTH_CONF_PATH: '/etc/booth/booth.conf',
      BOOTH_TICKET_EXPIRES: '0',
      CIBSYNC_CONFIG: b1Config,
      CIBSYNC: join(bin, 'cibsync'),
      CIBSYNC_READY_OVERRIDE: join(cwd, 'override'),
      CIB_file: b1.cibFile,
      CIBSYNC_LOG_LEVEL: 'warn',
    };
  });

  const handler = () => {
    writeFileSync(syslog, '');
    const r = spawnSync(HANDLER, [], { env, cwd, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr, syslog: readFileSync(syslog, 'utf8') };
  };

  it('exits 0 when the replica is ready, and logs nothing', async () => {
    await waitForVerdict('B1 ready', b1Config, undefined, (v) => v.ready === true);
    expect(handler()).toEqual({ code: 0, stderr: '', syslog: '' });
  });

  it('refuses (exit 1) with the reason in syslog (tag cibsync) and on stderr', async () => {
    expect(cli(['hold', '--config', b1Config, '--reason', 'drill']).code).toBe(0);
    try {
      await waitFor(
        'the hold at B1',
        () => JSON.parse(cli(['status', '--config', b1Config, '--output-as=json']).stdout).hold,
      );
      const r = handler();
      expect(r.code).toBe(1);
      expect(r.syslog).toMatch(
        /^-t cibsync -p daemon\.warning -- cibsync-before-acquire: ticket ticketA refused at site 127\.0\.0\.2 \(cibsync exit 10\)$/m,
      );
      expect(r.syslog).toMatch(/ticket ticketA: {3}CIBSYNC_READY_ON_HOLD: replication is on hold since .*drill/);
      expect(r.stderr).toContain('CIBSYNC_READY_ON_HOLD');
    } finally {
      cli(['resume', '--config', b1Config]);
    }
  });

  it('without BOOTH_TICKET refuses', () => {
    const { BOOTH_TICKET: _ticket, ...rest } = env;
    const r = spawnSync(HANDLER, [], { env: rest, cwd, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('BOOTH_TICKET is not set');
  });

  it('with the subscriber stopped: refuses where this site lacks the ticket, passes the renewal where it holds it', async () => {
    await daemon.stop();
    const r = handler();
    expect(r.code).toBe(1);
    expect(r.syslog).toMatch(
      /CIBSYNC_READY_UNREACHABLE: the subscriber did not answer \(CIBSYNC_ADMIN_SOCKET_UNREACHABLE: .*\), and this site does not hold it/,
    );
    grant(b1);
    expect(handler()).toMatchObject({ code: 0, syslog: '' });
    b1.tool('crm_ticket', ['--ticket', TICKET, '--revoke', '--force']);
  });

  it("the administrator's override file lets the ticket through, logged", () => {
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'override'), 'root: site A burned down, DR drill 42\n');
    const r = handler();
    expect(r.code).toBe(0);
    expect(r.syslog).toContain('readiness NOT checked, override');
    expect(r.syslog).toContain('site A burned down, DR drill 42');
  });
});
