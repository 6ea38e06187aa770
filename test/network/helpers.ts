// Shared by the network tests: a throw-away PKI, two file-backed sites, the daemons as real processes
// or in-process servers, and an HTTPS client that can present any certificate (or none).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { type CertificateUsage, createCa, issueCertificate, type KeyAndCertificate } from '../../certs/authority.js';
import { CLI, cli, makeSite, type Site, tempDir } from '../helpers/sites.js';

export interface CertFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface Pki {
  dir: string;
  ca: string;
  /** Issued by the cluster CA for 127.0.0.1, both usages. */
  issue(
    name: string,
    options?: { usage?: CertificateUsage; notBefore?: Date; days?: number; byOtherCa?: boolean; operator?: boolean },
  ): CertFiles;
}

export function makePki(): Pki {
  const dir = tempDir('cibsync-pki-');
  const ca = createCa({ name: 'cibsync test CA', days: 30, bits: 2048 });
  // Same CN as the real CA: only the key tells them apart.
  let otherCa: KeyAndCertificate | undefined;
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  return {
    dir,
    ca: caFile,
    issue(name, options = {}) {
      if (options.byOtherCa) otherCa ??= createCa({ name: 'cibsync test CA', days: 30, bits: 2048 });
      const issuer = options.byOtherCa && otherCa ? otherCa : ca;
      const pair = issueCertificate(issuer, {
        name,
        ips: ['127.0.0.1'],
        dns: ['localhost'],
        days: options.days ?? 30,
        bits: 2048,
        usage: options.usage ?? 'both',
        notBefore: options.notBefore,
        operator: options.operator,
      });
      const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), ca: caFile };
      writeFileSync(files.cert, pair.certPem);
      writeFileSync(files.key, pair.keyPem, { mode: 0o600 });
      return files;
    },
  };
}

export const TICKET = 'ticketA';

/** Site A (holds ticketA when `granted`) and site B from the lead's fixtures. */
export function makeSites(granted = true): { a: Site; b: Site } {
  const a = makeSite('site-a.xml');
  const b = makeSite('site-b.xml');
  if (granted) grant(a);
  return { a, b };
}

export function grant(site: Site): void {
  site.tool('crm_ticket', ['--ticket', TICKET, '--grant', '--force']);
}

export function revoke(site: Site): void {
  site.tool('crm_ticket', ['--ticket', TICKET, '--revoke', '--force']);
}

/** A change to the replicated configuration at a site (a cluster property every site shares). */
export function changeBatchLimit(site: Site, value: number): void {
  site.tool('cibadmin', [
    '--modify',
    '--xml-text',
    `<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="${value}"/>`,
  ]);
}

export function batchLimitOf(site: Site): string | undefined {
  return /name="batch-limit" value="([^"]*)"/.exec(site.read())?.[1];
}

export function publisherConfig(
  site: Site,
  tls: CertFiles,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    site: 'siteA',
    ticket: TICKET,
    stateDir: site.stateDir,
    logLevel: 'info',
    // Its own admin socket, never the default /run/cibsync/publisher.sock that every test would share.
    publisher: {
      listen: '127.0.0.1',
      port: 0,
      adminSocket: join(site.dir, 'publisher.sock'),
      ...tls,
      certCheckMs: 200,
      ...extra,
    },
  };
}

/** Site B's subscriber, trusting `pubA` (the certificate the tests' publisher at site A signs with) for siteA. */
export function subscriberConfig(
  site: Site,
  tls: CertFiles,
  publishers: string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    site: 'siteB',
    ticket: TICKET,
    stateDir: site.stateDir,
    nodeMap: { a1: 'b1', a2: 'b2' },
    trust: { publishers: { siteA: ['pubA'] } },
    logLevel: 'info',
    subscriber: {
      listen: '127.0.0.1',
      port: 0,
      // Its own socket, never the default /run/cibsync/subscriber.sock that every test would share.
      adminSocket: join(site.dir, 'subscriber.sock'),
      ...tls,
      publishers,
      pollIntervalMs: 2000,
      backoffMinMs: 100,
      requestTimeoutMs: 5000,
      waitMs: 5000,
      ...extra,
    },
  };
}

export function writeConfig(site: Site, name: string, config: Record<string, unknown>): string {
  const file = join(site.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export interface Daemon {
  url: string;
  /** The daemon's admin socket, as its `listening` line names it. */
  adminSocket?: string;
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** Starts `cibsync publisher|subscriber` as a process with a minimal environment (no HOME, LC_ALL=C, as pacemaker-execd runs it), plus `env`. */
export function startDaemon(
  kind: 'publisher' | 'subscriber',
  configFile: string,
  cibFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Daemon> {
  const child = spawn(process.execPath, [CLI, kind, '--config', configFile], {
    env: { PATH: process.env.PATH, LC_ALL: 'C', CIB_file: cibFile, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} did not start within 15 s: ${JSON.stringify(logs.slice(-3))}`)),
      15_000,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { text: line };
        }
        logs.push(entry);
        if (entry.event === 'listening') {
          clearTimeout(timer);
          resolve({
            url: entry.url as string,
            adminSocket: entry.adminSocket as string | undefined,
            child,
            logs,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done(child.exitCode);
                child.once('exit', (code) => done(code));
                child.kill('SIGTERM');
              }),
          });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before listening: ${JSON.stringify(logs.slice(-3))}`));
    });
  });
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request presenting `tls` (or no client certificate when only `ca` is given). */
export async function httpsRequest(
  url: string,
  tls: Partial<CertFiles> & { ca: string },
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  const agent = new Agent({
    connect: {
      ca: readFileSync(tls.ca),
      ...(tls.cert && tls.key ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } : {}),
    },
  });
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
    });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  } finally {
    await agent.close();
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The SHA-256 fingerprint of the certificate a TLS server presents to a new connection. */
export function serverFingerprint(url: string, tls: CertFiles): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port: Number(new URL(url).port),
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
      },
      () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

/** `cibsync COMMAND --subscriber URL` with a client certificate, as an operator runs it from elsewhere. */
export function cliTo(subscriber: Daemon, tls: CertFiles, command: string, ...extra: string[]): ReturnType<typeof cli> {
  return cli([command, '--subscriber', subscriber.url, '--cert', tls.cert, '--key', tls.key, '--ca', tls.ca, ...extra]);
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON as the tests probe it, field by field
type StatusJson = Record<string, any>;

/** `cibsync status --output-as=json` of a running subscriber, parsed. */
export function statusOf(subscriber: Daemon, tls: CertFiles): StatusJson {
  const r = cliTo(subscriber, tls, 'status', '--output-as=json');
  if (r.code !== 0) throw new Error(`cibsync status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}
