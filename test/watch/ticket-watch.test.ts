// The ticket watcher against a real CIB manager (corosync + pacemaker-based, alone in private
// namespaces: test/helpers/cib-daemon.sh): cibsync-ticket-watch prints a line for a grant and for a
// revoke, and a TicketGate learns of them from the notification alone (its own cache never expires
// and the fallback poll is a day apart); without the program, the fallback poll carries the change.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CibDaemon, cibDaemonUnavailable, startCibDaemon } from '../helpers/cib-daemon.js';
import { makePki } from '../network/helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROGRAM = `${REPO}dist/bin/cibsync-ticket-watch`;
const PROBE = `${REPO}test/watch/ticket-probe.mjs`;
const CLI = `${REPO}dist/services/cli/main.js`;
const DAY_MS = 86_400_000;

const skip =
  cibDaemonUnavailable() ??
  (existsSync(PROGRAM) ? undefined : `${PROGRAM} is not built (npm run build; needs pacemaker-dev, libglib2.0-dev)`);
if (skip) console.log(`test/watch/ticket-watch.test.ts skipped: ${skip}`);

/** A child whose stdout and stderr lines are kept, to wait for one that matches. */
class Lines {
  readonly child: ChildProcess;
  readonly out: string[] = [];
  readonly err: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(command: string[]) {
    this.child = spawn(command[0] as string, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    for (const [stream, into] of [
      [this.child.stdout, this.out],
      [this.child.stderr, this.err],
    ] as const) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        into.push(...lines);
        for (const wake of this.waiters.splice(0)) wake();
      });
    }
    this.child.once('exit', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first line from `where` (after the first `from` of them) that `match` accepts. */
  async next(where: 'out' | 'err', match: (line: string) => boolean, from = 0): Promise<string> {
    for (;;) {
      const found = this[where].slice(from).find(match);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.err.join('\n')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.stdin?.end();
    return exited;
  }
}

const changes = (probe: Lines) => probe.out.filter((l) => l.startsWith('{"change"')).map((l) => JSON.parse(l).change);
const event = (name: string) => (line: string) => line.includes(`"event":"${name}"`);

describe.skipIf(skip)('ticket watch on a live CIB manager', () => {
  let cib: CibDaemon;
  const ticket = (op: '--grant' | '--revoke', id = 'T') => {
    const r = cib.run('crm_ticket', '--ticket', id, op, '--force');
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    cib = await startCibDaemon();
  });
  afterAll(async () => {
    await cib?.stop();
  });

  it('cibsync-ticket-watch prints the tickets at start and after a grant and a revoke, each once', async () => {
    const watch = new Lines([...cib.enter, PROGRAM]);
    try {
      expect(await watch.next('out', () => true)).toBe('[]');
      ticket('--grant');
      await watch.next('out', (l) => l.includes('"granted":true'));
      ticket('--revoke');
      await watch.next('out', (l) => l.includes('"granted":false'));
      // A change to another ticket is a line too; one that changes nothing of id/granted/standby is none.
      ticket('--grant', 'U');
      await watch.next('out', (l) => l.includes('"U"'));
      ticket('--grant', 'U');
      ticket('--grant');
      await watch.next('out', (l) => l.includes('{"id":"T","granted":true'), 4);
      expect(watch.out.filter(Boolean)).toEqual([
        '[]',
        '[{"id":"T","granted":true,"standby":false}]',
        '[{"id":"T","granted":false,"standby":false}]',
        '[{"id":"T","granted":false,"standby":false},{"id":"U","granted":true,"standby":false}]',
        '[{"id":"T","granted":true,"standby":false},{"id":"U","granted":true,"standby":false}]',
      ]);
      ticket('--revoke');
      ticket('--revoke', 'U');
      await watch.next('out', (l) => l.includes('{"id":"U","granted":false'));
    } finally {
      expect(await watch.stop()).toBe(0); // its stdin closed: it stops by itself
    }
  });

  it('TicketGate emits change for a grant and a revoke from the notification alone', async () => {
    const probe = new Lines([...cib.enter, 'node', PROBE, 'T', String(DAY_MS)]);
    try {
      await probe.next('err', event('ticket-watch-notify'));
      await probe.next('out', (l) => l.includes('"held":false'));
      ticket('--grant');
      await probe.next('out', (l) => l.includes('"held":true'));
      ticket('--revoke');
      await probe.next('out', (l) => l.includes('"held":false'), 2);
      expect(changes(probe).map((c) => c.held)).toEqual([false, true, false]);
      expect(probe.err.some(event('ticket-watch-poll'))).toBe(false);
    } finally {
      await probe.stop();
    }
  });

  it('without the program, the fallback poll carries a grant and a revoke', async () => {
    // Hides dist/bin from this probe alone: its own mount namespace, a tmpfs over the folder.
    const hidden = [
      ...cib.enter,
      'unshare',
      '--mount',
      'sh',
      '-c',
      `mount -t tmpfs tmpfs '${REPO}dist/bin' && exec node '${PROBE}' T 200`,
    ];
    const probe = new Lines(hidden);
    try {
      const mode = await probe.next('err', event('ticket-watch-poll'));
      expect(mode).toContain('not built');
      await probe.next('out', (l) => l.includes('"held":false'));
      ticket('--grant');
      await probe.next('out', (l) => l.includes('"held":true'));
      ticket('--revoke');
      await probe.next('out', (l) => l.includes('"held":false'), 2);
      expect(probe.err.some(event('ticket-watch-notify'))).toBe(false);
    } finally {
      await probe.stop();
    }
  });

  it('a publisher on the live CIB builds its publication once it gains the ticket, told by the notification alone', async () => {
    // Site A's configuration in the live CIB, ticketA revoked: the publisher starts with nothing to
    // serve. Its CIB watcher polls once a day and the disk copy does not change: only the ticket
    // watch can tell it of the grant.
    const loaded = cib.run('cibadmin', '--replace', '--xml-file', `${REPO}test/fixtures/sites/site-a.xml`);
    expect(loaded.code, loaded.stderr).toBe(0);
    ticket('--revoke', 'ticketA');
    const pki = makePki();
    const dir = mkdtempSync(join(tmpdir(), 'cibsync-live-pub-'));
    const config = join(dir, 'publisher.json');
    writeFileSync(
      config,
      JSON.stringify({
        site: 'siteA',
        ticket: 'ticketA',
        stateDir: join(dir, 'state'),
        ticketPollMs: DAY_MS,
        publisher: {
          listen: '127.0.0.1',
          port: 0,
          adminSocket: join(dir, 'publisher.sock'),
          ...pki.issue('pubA'),
          changePollMs: DAY_MS,
        },
      }),
    );
    const publisher = new Lines([...cib.enter, 'env', '-u', 'CIB_file', 'node', CLI, 'publisher', '--config', config]);
    try {
      await publisher.next('err', event('ticket-watch-notify'));
      await publisher.next('err', event('ticket-not-held'));
      await publisher.next('err', event('listening')); // its start-up build is over, and dropped
      const seen = publisher.err.length;
      ticket('--grant', 'ticketA');
      await publisher.next('err', event('ticket-held'), seen);
      await publisher.next('err', event('publication-built'), seen);
    } finally {
      publisher.child.kill('SIGTERM');
      await publisher.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the CIB manager goes, the program exits non-zero saying so, and the watch falls back to polling', async () => {
    const probe = new Lines([...cib.enter, 'node', PROBE, 'T', '200']);
    const watch = new Lines([...cib.enter, PROGRAM]);
    try {
      await probe.next('err', event('ticket-watch-notify'));
      await watch.next('out', () => true);
      expect(cib.run('pkill', '-x', 'pacemaker-based').code).toBe(0);
      const code = await new Promise((resolve) => watch.child.once('exit', resolve));
      expect(code).toBe(3);
      expect(watch.err.join('\n')).toContain('connection to the CIB manager lost');
      const failed = await probe.next('err', event('ticket-watch-failed'));
      expect(failed).toContain('exited with status 3');
      await probe.next('err', event('ticket-watch-poll'));
    } finally {
      await watch.stop();
      await probe.stop();
    }
  });
});
