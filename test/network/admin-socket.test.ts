// The local admin channel (issue 11, item 2): `cibsync status`, `replicate-now` and `plan` reach the
// subscriber of this host on its Unix domain socket with no address and no certificate (at a passive
// site the service address is down). Real daemons as processes (publisher at A, subscriber at B in
// manual approval), the socket in a temporary directory the daemon creates, the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../services/approval/index.js';
import { CLI, cli, type Site, tempDir as siteTempDir } from '../helpers/sites.js';
import {
  batchLimitOf,
  type CertFiles,
  changeBatchLimit,
  type Daemon,
  makePki,
  makeSites,
  publisherConfig,
  startDaemon,
  statusOf,
  subscriberConfig,
  waitFor,
  writeConfig,
} from './helpers.js';

let a: Site;
let b: Site;
let subTls: CertFiles;
let publisher: Daemon;
let subscriber: Daemon;
let subscriberFile: string;
let runDir: string;
let socket: string;
/** A client's configuration that names the socket and nothing else: no certificate, no address. */
let clientConfig: string;

/** Temporary directories of this file, removed at the end. */
const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = siteTempDir(prefix);
  temps.push(dir);
  return dir;
}

/** Python's bind() leaves the socket file behind when it exits: a killed daemon's socket, nothing behind it. */
function staleSocket(path: string): void {
  const r = spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
  expect(r.status, String(r.stderr)).toBe(0);
  expect(statSync(path).isSocket()).toBe(true);
}

/** Runs the subscriber daemon with `config` until it exits (it should refuse to start). */
function refusedStart(config: Record<string, unknown>, name: string) {
  const file = writeConfig(b, name, config);
  return spawnSync(process.execPath, [CLI, 'subscriber', '--config', file], {
    env: { PATH: process.env.PATH, LC_ALL: 'C', CIB_file: b.cibFile },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  subTls = pki.issue('subB');
  publisher = await startDaemon(
    'publisher',
    writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA'), { allow: ['subB'] })),
    a.cibFile,
  );
  // A directory that does not exist yet: the daemon makes it, 0700.
  runDir = join(tempDir('cibsync-run-'), 'cibsync');
  socket = join(runDir, 'subscriber.sock');
  subscriberFile = writeConfig(
    b,
    'subscriber',
    subscriberConfig(b, subTls, [publisher.url], { approval: 'manual', pollIntervalMs: 60_000, adminSocket: socket }),
  );
  subscriber = await startDaemon('subscriber', subscriberFile, b.cibFile);
  clientConfig = join(b.dir, 'client.json');
  writeFileSync(clientConfig, JSON.stringify({ subscriber: { adminSocket: socket } }));
}, 60_000);

afterAll(async () => {
  await subscriber?.stop();
  await publisher?.stop();
  a?.cleanup();
  b?.cleanup();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('the admin socket', () => {
  it("is created for root and Pacemaker's haclient group: the socket 0660 in a directory made 0750, named in the listening line", () => {
    // haclient comes with Pacemaker; booth runs its before-acquire handler as hacluster.
    const haclient = Number(/^haclient:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))?.[1]);
    expect(subscriber.adminSocket).toBe(socket);
    const file = statSync(socket);
    expect(file.isSocket()).toBe(true);
    expect([file.mode & 0o777, file.uid, file.gid]).toEqual([0o660, process.getuid?.(), haclient]);
    const dir = statSync(runDir);
    expect([dir.mode & 0o777, dir.gid]).toEqual([0o750, haclient]);
  });

  it('answers status and replicate-now with no certificate and no address; plan decides as local:<socket>', async () => {
    const status = cli(['status', '--config', clientConfig, '--output-as=json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ role: 'subscriber', site: 'siteB', approval: 'manual' });

    changeBatchLimit(a, 7);
    const now = cli(['replicate-now', '--socket', socket, '--output-as=json']);
    expect(now.code, now.stderr).toBe(0);
    const outcome = JSON.parse(now.stdout) as { approval: string; plan?: PlanRecord };
    expect(outcome.approval).toBe('manual');
    const pending = await waitFor(
      'a pending plan, over the socket',
      () => {
        const shown = cli(['plan', 'show', '--socket', socket, '--output-as=json']);
        expect(shown.code, shown.stderr).toBe(0);
        const plan = JSON.parse(shown.stdout) as PlanRecord | null;
        return plan?.status === 'pending' ? plan : undefined;
      },
      15_000,
      200,
    );
    expect(cli(['status', '--socket', socket]).stdout).toContain(`pending plan ${pending.id}`);

    // --config alone: the socket answers, so the plan is decided by the daemon, recorded under the socket.
    const approved = cli(['plan', 'approve', pending.id, '--config', clientConfig, '--output-as=json']);
    expect(approved.code, approved.stderr).toBe(0);
    const record = JSON.parse(approved.stdout) as PlanRecord;
    expect(record.status).toBe('applied');
    expect(record.decisions.at(-1)).toMatchObject({ action: 'approved', by: `local:${socket}` });
    expect(batchLimitOf(b)).toBe('7');
  });

  it('still serves HTTPS with --subscriber and a client certificate', () => {
    expect(statusOf(subscriber, subTls)).toMatchObject({ role: 'subscriber', site: 'siteB' });
  });

  it('refuses to take a live daemon’s socket: the start fails naming the path, the daemon keeps it', () => {
    const r = refusedStart(
      { ...subscriberConfig(b, subTls, [publisher.url], { adminSocket: socket }), stateDir: join(b.dir, 'second') },
      'second',
    );
    expect(r.status, r.stderr).toBe(6);
    expect(r.stderr).toContain(`cibsync: CIBSYNC_ADMIN_SOCKET_IN_USE: another daemon answers on ${socket}`);
    const status = cli(['status', '--socket', socket]);
    expect(status.code, status.stderr).toBe(0);
  });

  it('refuses a path that holds something other than a socket', () => {
    const file = join(b.dir, 'not-a-socket');
    writeFileSync(file, 'keep me\n');
    const r = refusedStart(subscriberConfig(b, subTls, [publisher.url], { adminSocket: file }), 'file');
    expect(r.status, r.stderr).toBe(6);
    expect(r.stderr).toContain(`CIBSYNC_ADMIN_SOCKET_IN_USE: ${file} exists and is not a socket`);
  });

  it('names the socket and what to do when nothing is there, or nothing answers', () => {
    const missing = join(runDir, 'none.sock');
    const r = cli(['status', '--socket', missing]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`cibsync: CIBSYNC_ADMIN_SOCKET_UNREACHABLE: no admin socket at ${missing}`);
    expect(r.stderr).toContain('is the subscriber running on this node? (crm_resource --locate');

    const stale = join(tempDir('cibsync-stale-'), 'subscriber.sock');
    staleSocket(stale);
    const refused = cli(['replicate-now', '--socket', stale]);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain(`CIBSYNC_ADMIN_SOCKET_UNREACHABLE: nothing answers on ${stale}`);
  });

  it('refuses --socket together with --subscriber', () => {
    const r = cli(['status', '--socket', socket, '--subscriber', subscriber.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CIBSYNC_USAGE: give --socket PATH (this host) or --subscriber URL (HTTPS), not both');
  });

  it('plan works on the plan store itself when no subscriber answers on the configured socket, never with --socket', () => {
    const stale = join(tempDir('cibsync-stale-'), 'subscriber.sock');
    staleSocket(stale);
    const config = join(b.dir, 'stale-client.json');
    writeFileSync(config, JSON.stringify({ stateDir: b.stateDir, subscriber: { adminSocket: stale } }));
    const listed = cli(['plan', 'list', '--config', config]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/\tapplied\t/);
    const explicit = cli(['plan', 'list', '--socket', stale]);
    expect(explicit.code).toBe(8);
    expect(explicit.stderr).toContain('CIBSYNC_ADMIN_SOCKET_UNREACHABLE');
  });
});

describe('a stale socket and the stop', () => {
  it('replaces the socket a killed daemon left, and removes its own at stop', async () => {
    const dir = tempDir('cibsync-run-');
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    const path = join(dir, 'run', 'subscriber.sock');
    staleSocket(path);
    const file = writeConfig(b, 'stale', {
      ...subscriberConfig(b, subTls, [publisher.url], { adminSocket: path, adminGroup: '' }),
      stateDir: join(b.dir, 'stale-state'),
    });
    const daemon = await startDaemon('subscriber', file, b.cibFile);
    try {
      expect(statSync(path).mode & 0o777, 'no adminGroup: root only').toBe(0o600);
      const status = cli(['status', '--socket', path, '--output-as=json']);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ role: 'subscriber' });
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(existsSync(path)).toBe(false);
  });
});
