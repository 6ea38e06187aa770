// Item 9: renewing the certificate with crmsh (`cert` first, then `key`, two CIB writes) made
// Pacemaker call reload-agent with the new certificate and the old key; the agent said success, the
// daemon's links pointed at a pair that does not match, the monitor failed and the resource ended
// stopped. The agents run here directly, with the OCF_* environment Pacemaker gives them (as
// test/lab/ocf-conformance.sh does, without the live lab), on a file-backed CIB.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, REPO, type Site, tempDir } from '../helpers/sites.js';
import { type CertFiles, makePki, type Pki } from '../network/helpers.js';

const OCF_SUCCESS = 0;
const OCF_ERR_CONFIGURED = 6;
const functionsDir = '/usr/lib/ocf/lib/heartbeat';
const available =
  existsSync(join(functionsDir, 'ocf-shellfuncs')) && existsSync(join(REPO, 'dist/services/config/index.js'));

let pki: Pki;
let site: Site;
let old: CertFiles;
let renewed: CertFiles;
let rsctmp: string;
const instance = 'cibsync-subscriber';

function agent(name: 'Publisher' | 'Subscriber', action: string, params: Record<string, string>) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    OCF_ROOT: '/usr/lib/ocf',
    OCF_FUNCTIONS_DIR: functionsDir,
    OCF_RESOURCE_INSTANCE: instance,
    OCF_RESOURCE_TYPE: name,
    OCF_RESOURCE_PROVIDER: 'cibsync',
    HA_RSCTMP: rsctmp,
    HA_LOGFACILITY: 'none',
    HA_LOGFILE: '',
    HA_DEBUG: '0',
    CIB_file: site.cibFile,
    OCF_RESKEY_node: process.execPath,
    OCF_RESKEY_install_dir: REPO,
    OCF_RESKEY_ticket: 'ticketA',
    OCF_RESKEY_state_dir: site.stateDir,
    OCF_RESKEY_log_file: join(site.dir, 'daemon.log'),
    ...(name === 'Subscriber'
      ? { OCF_RESKEY_publishers: 'https://127.0.0.1:7443', OCF_RESKEY_trusted_publishers: 'siteA=site-a' }
      : {}),
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
  };
  const r = spawnSync('/bin/sh', [join(REPO, 'agents', name), action], { env, encoding: 'utf8' });
  return { rc: r.status, stderr: r.stderr };
}

const tls = (files: CertFiles, key = files.key) => ({ cert: files.cert, key, ca: files.ca });
const link = (name: string) => readlinkSync(join(rsctmp, `cibsync-${instance}.tls`, `${name}.pem`));

beforeAll(() => {
  if (!available) return;
  pki = makePki();
  old = pki.issue('site-a');
  renewed = pki.issue('site-a-2027');
  site = makeSite('site-b.xml');
  rsctmp = tempDir('cibsync-rsctmp-');
});

afterAll(() => {
  site?.cleanup();
  for (const dir of [rsctmp, pki?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('agents refuse a key that does not match its certificate', () => {
  it.each(['Publisher', 'Subscriber'] as const)('%s: validate-all', (name) => {
    expect(agent(name, 'validate-all', tls(old)).rc).toBe(OCF_SUCCESS);
    const r = agent(name, 'validate-all', tls(renewed, old.key));
    expect(r.rc).toBe(OCF_ERR_CONFIGURED);
    expect(r.stderr).toContain('ocf-exit-reason:');
    expect(r.stderr).toContain(renewed.cert);
    expect(r.stderr).toContain(old.key);
  });

  describe('Subscriber: reload-agent during a renewal made in two steps (crmsh: cert, then key)', () => {
    let daemon: ChildProcess | undefined;
    const hups = () =>
      existsSync(join(rsctmp, 'hups')) ? readFileSync(join(rsctmp, 'hups'), 'utf8').trim().split('\n').length : 0;
    afterAll(() => daemon?.kill('SIGKILL'));

    it('refuses the new certificate with the old key, leaves the daemon on the old pair, then takes both', async () => {
      // Started once with the old pair (validate-all's checks + the links and configuration file).
      expect(agent('Subscriber', 'reload-agent', tls(old)).rc).toBe(OCF_SUCCESS);
      const conffile = join(rsctmp, `cibsync-${instance}.json`);
      // A stand-in for the daemon: the agent knows it by its pid file and the configuration file on
      // its command line; it records every SIGHUP (the daemon reloads its certificates on SIGHUP).
      daemon = spawn(
        '/bin/sh',
        ['-c', `trap 'echo hup >>"${join(rsctmp, 'hups')}"' HUP; while :; do sleep 0.05; done`, conffile],
        { stdio: 'ignore' },
      );
      writeFileSync(join(rsctmp, `cibsync-${instance}.pid`), `${daemon.pid}\n`);
      await new Promise((r) => setTimeout(r, 200));

      const first = agent('Subscriber', 'reload-agent', tls(renewed, old.key));
      expect(first.rc).toBe(OCF_ERR_CONFIGURED);
      expect(first.stderr).toMatch(/does not match/);
      expect(first.stderr).toContain(renewed.cert);
      expect(first.stderr).toContain(old.key);
      expect([link('cert'), link('key')]).toEqual([old.cert, old.key]);
      expect(hups()).toBe(0);

      const second = agent('Subscriber', 'reload-agent', tls(renewed));
      expect(second.rc).toBe(OCF_SUCCESS);
      expect([link('cert'), link('key')]).toEqual([renewed.cert, renewed.key]);
      await new Promise((r) => setTimeout(r, 200));
      expect(hups()).toBe(1);
    });
  });
});
