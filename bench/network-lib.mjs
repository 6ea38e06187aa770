// Shared by the network benchmarks: two file-backed sites from the test fixtures, a throw-away CA,
// daemons as processes (built CLI in dist/), and /proc readings of a process's CPU time and memory.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCa, issueCertificate } from '../dist/certs/authority.js';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'dist/services/cli/main.js');
const CLOCK_TICKS = 100;

export function makeBenchSites() {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-bench-'));
  const site = (name, fixture) => {
    const cibFile = join(dir, `${name}.xml`);
    copyFileSync(join(REPO, 'test/fixtures/sites', fixture), cibFile);
    const tool = (cmd, args) =>
      execFileSync(cmd, args, { env: { ...process.env, CIB_file: cibFile }, encoding: 'utf8' });
    return { name, cibFile, tool, read: () => readFileSync(cibFile, 'utf8') };
  };
  const a = site('a', 'site-a.xml');
  const b = site('b', 'site-b.xml');
  a.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
  const ca = createCa({ name: 'bench CA', days: 2, bits: 2048 });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  const issue = (name) => {
    const pair = issueCertificate(ca, { name, ips: ['127.0.0.1'], dns: [], days: 2, bits: 2048, usage: 'both' });
    writeFileSync(join(dir, `${name}.crt`), pair.certPem);
    writeFileSync(join(dir, `${name}.key`), pair.keyPem, { mode: 0o600 });
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), ca: join(dir, 'ca.crt') };
  };
  return { dir, a, b, issue };
}

export function writeJson(dir, name, value) {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** The bench's publisher at siteA (ticketA), listening on loopback. */
export function writePublisherConfig(dir, tls) {
  return writeJson(dir, 'pub.json', {
    site: 'siteA',
    ticket: 'ticketA',
    publisher: { listen: '127.0.0.1', port: 0, adminSocket: `${dir}/publisher.sock`, ...tls },
  });
}

/** The bench's subscriber at siteB, following `publisherUrl` and trusting pubA's signature; `settings` adds subscriber settings. */
export function writeSubscriberConfig(dir, tls, publisherUrl, settings = {}) {
  return writeJson(dir, 'sub.json', {
    site: 'siteB',
    ticket: 'ticketA',
    stateDir: `${dir}/state`,
    nodeMap: { a1: 'b1', a2: 'b2' },
    trust: { publishers: { siteA: ['pubA'] } },
    subscriber: {
      listen: '127.0.0.1',
      port: 0,
      adminSocket: `${dir}/subscriber.sock`,
      ...tls,
      publishers: [publisherUrl],
      ...settings,
    },
  });
}

/** Starts a daemon with the environment pacemaker-execd gives it; resolves with its URL once it listens. */
export function startDaemon(kind, configFile, cibFile, onLog = () => undefined) {
  const child = spawn(process.execPath, [CLI, kind, '--config', configFile], {
    env: { PATH: process.env.PATH, LC_ALL: 'C', CIB_file: cibFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let buffered = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        onLog(entry);
        if (entry.event === 'listening') resolve({ url: entry.url, child, stop: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

/** SIGTERM to a daemon; resolves once it has exited (at once if it already has). */
function stopChild(child) {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident and peak resident memory in MiB. */
export function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
}
