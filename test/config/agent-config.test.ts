// The OCF agents' helper (agents/cibsync-agent-config.mjs) maps the resource parameters onto the
// configuration model and checks them with the daemons' own schema and role check: a bad setting is
// exit 6 (OCF_ERR_CONFIGURED) naming the key's path, a missing file exit 5 (OCF_ERR_INSTALLED).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/sites.js';
import { type CertFiles, makePki, type Pki } from '../network/helpers.js';

const OCF_ERR_INSTALLED = 5;
const OCF_ERR_CONFIGURED = 6;

let pki: Pki;
let files: CertFiles;
let dir: string;

beforeAll(() => {
  pki = makePki();
  files = pki.issue('site-b');
  dir = tempDir('cibsync-agent-config-');
});
afterAll(() => {
  rmSync(pki.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

function helper(role: string, params: Record<string, string>, out: string[] = []) {
  const base = {
    ticket: 'ticketA',
    cert: files.cert,
    key: files.key,
    ca: files.ca,
    ...(role === 'subscriber' ? { publishers: 'https://127.0.0.1:7443', trusted_publishers: 'siteA=site-a' } : {}),
  };
  const env = {
    PATH: process.env.PATH,
    ...Object.fromEntries(Object.entries({ ...base, ...params }).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
  };
  const r = spawnSync(process.execPath, [join(REPO, 'agents/cibsync-agent-config.mjs'), role, REPO, ...out], {
    env,
    encoding: 'utf8',
  });
  return { rc: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

describe('the agents check settings as the daemons do', () => {
  it('accepts good parameters and prints the facts the agent needs', () => {
    const r = helper('subscriber', { port: '7555' });
    expect(r.rc, r.stderr).toBe(0);
    expect(r.stdout).toContain("daemon_port='7555'");
  });

  it.each([
    [
      'a port that is not a number',
      { port: 'http' },
      'resource parameters: subscriber.port must be a whole number, got "http"',
    ],
    ['a port out of range', { port: '70000' }, 'resource parameters: subscriber.port must be at most 65535, got 70000'],
    [
      'a bad log level',
      { log_level: 'loud' },
      'resource parameters: logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      'a publisher URL that is not https',
      { publishers: 'http://127.0.0.1:7443' },
      'resource parameters: subscriber.publishers[0] must be an https:// URL, got "http://127.0.0.1:7443"',
    ],
    [
      'a bad approval mode',
      { approval: 'later' },
      'resource parameters: subscriber.approval must be one of auto, manual, got "later"',
    ],
    [
      'no ticket',
      { ticket: '' },
      'the subscriber needs ticket (the booth ticket that marks the active site; or scopes.tickets)',
    ],
    ['no trusted publishers', { trusted_publishers: '' }, 'the subscriber needs trust.publishers'],
  ])('%s is OCF_ERR_CONFIGURED, naming the setting', (_what, params, message) => {
    const r = helper('subscriber', params);
    expect(r.rc).toBe(OCF_ERR_CONFIGURED);
    expect(r.stderr.startsWith(message), r.stderr).toBe(true);
  });

  it('a configuration file with an unknown key is OCF_ERR_CONFIGURED, naming the file and the key', () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ tikcet: 'ticketA' }));
    const r = helper('publisher', { config: file });
    expect(r.rc).toBe(OCF_ERR_CONFIGURED);
    expect(r.stderr).toBe(`${file}: unknown setting tikcet`);
  });

  it('the file and the parameters merge as the daemon merges them: trusted publishers site by site', () => {
    const file = join(dir, 'trust.json');
    writeFileSync(
      file,
      JSON.stringify({ trust: { publishers: { siteC: 'site-c' } }, subscriber: { pollIntervalMs: 5000 } }),
    );
    const out = join(dir, 'daemon.json');
    const r = helper('subscriber', { config: file }, [out, join(dir, 'tls')]);
    expect(r.rc, r.stderr).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.trust.publishers).toEqual({ siteC: ['site-c'], siteA: ['site-a'] });
    expect(written.subscriber).toMatchObject({
      pollIntervalMs: 5000,
      publishers: ['https://127.0.0.1:7443'],
      cert: join(dir, 'tls', 'cert.pem'),
    });
  });

  it('a missing certificate is OCF_ERR_INSTALLED; port 0 (fine for a daemon) is refused, the health check needs a fixed one', () => {
    expect(helper('publisher', { cert: join(dir, 'none.crt') }).rc).toBe(OCF_ERR_INSTALLED);
    const zero = helper('publisher', { port: '0' });
    expect(zero.rc).toBe(OCF_ERR_CONFIGURED);
    expect(zero.stderr).toMatch(/publisher\.port is 0/);
  });
});
