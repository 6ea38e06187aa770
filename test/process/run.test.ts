// The child-process helper under every tool run: real small commands (sh, cat, sleep), each way a run
// can end given its own kind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess, runProcessFromFile, startLineProcess, startProcess } from '../../services/process/run.js';

describe('runProcess', () => {
  it('passes stdin through and captures stdout and stderr', async () => {
    const outcome = await runProcess('sh', ['-c', 'cat; echo oops >&2'], {
      input: 'héllo\nworld\n',
      timeoutMs: 30_000,
    });
    expect(outcome).toEqual({ kind: 'exited', code: 0, stdout: 'héllo\nworld\n', stderr: 'oops\n' });
  });

  it('gives a program that exits non-zero its exit code and output, as an answer', async () => {
    const outcome = await runProcess('sh', ['-c', 'echo partial; echo why >&2; exit 3'], { timeoutMs: 30_000 });
    expect(outcome).toEqual({ kind: 'exited', code: 3, stdout: 'partial\n', stderr: 'why\n' });
  });

  it('hands the environment it is given to the program', async () => {
    const outcome = await runProcess('sh', ['-c', 'printf %s "$CIBSYNC_TEST_VALUE"'], {
      env: { PATH: process.env.PATH, CIBSYNC_TEST_VALUE: 'from-env' },
      timeoutMs: 30_000,
    });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, stdout: 'from-env' });
  });

  it('kills a program that outlives its timeout and says so, with what it printed by then', async () => {
    const outcome = await runProcess('sh', ['-c', 'echo started; exec sleep 30'], { timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: 'timed-out', timeoutMs: 2000, stdout: 'started\n' });
  });

  it('stops a program whose output passes the cap, naming the stream and the cap', async () => {
    const outcome = await runProcess('sh', ['-c', 'head -c 100000 /dev/zero; exec sleep 30'], {
      timeoutMs: 30_000,
      maxOutputBytes: 1000,
    });
    expect(outcome).toEqual({ kind: 'output-too-large', stream: 'stdout', maxBytes: 1000 });
  });

  it('caps stderr too', async () => {
    const outcome = await runProcess('sh', ['-c', 'head -c 5000 /dev/zero >&2'], {
      timeoutMs: 30_000,
      maxOutputBytes: 1000,
    });
    expect(outcome).toEqual({ kind: 'output-too-large', stream: 'stderr', maxBytes: 1000 });
  });

  it('admits output of exactly the cap', async () => {
    const outcome = await runProcess('sh', ['-c', 'head -c 1000 /dev/zero | tr "\\0" x'], {
      timeoutMs: 30_000,
      maxOutputBytes: 1000,
    });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0 });
    expect(outcome.kind === 'exited' && outcome.stdout.length).toBe(1000);
  });

  it('reports a program that is not there as a spawn failure with its errno', async () => {
    const outcome = await runProcess('cibsync-no-such-program', [], { timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ kind: 'spawn-failed', errno: 'ENOENT' });
  });

  it('reports a program killed by a signal', async () => {
    const outcome = await runProcess('sh', ['-c', 'kill -TERM $$'], { timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ kind: 'signalled', signal: 'SIGTERM' });
  });

  it('survives a program that exits without reading its input', async () => {
    const outcome = await runProcess('true', [], { input: 'x'.repeat(4 * 1024 * 1024), timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0 });
  });
});

describe('startProcess', () => {
  it('tells when the program first speaks, and lets it outlive its timeout once that is cancelled', async () => {
    const holder = startProcess('sh', ['-c', 'echo ready; exec cat >/dev/null'], { timeoutMs: 1500 });
    await holder.firstOutput;
    holder.cancelTimeout();
    await new Promise((r) => setTimeout(r, 2500));
    holder.endInput();
    expect(await holder.outcome).toEqual({ kind: 'exited', code: 0, stdout: 'ready\n', stderr: '' });
  });
});

describe('runProcessFromFile', () => {
  it('streams the file to stdin, and decodes a multi-byte character split across chunks whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cibsync-process-'));
    try {
      // 'é' is two bytes: one ASCII byte first puts every 'é' at an odd offset, so a pipe's chunk
      // boundary (a power of two) falls inside one.
      const text = `x${'é'.repeat(200_000)}\n`;
      writeFileSync(join(dir, 'input'), text);
      const outcome = await runProcessFromFile('cat', [], { inputFile: join(dir, 'input'), timeoutMs: 30_000 });
      expect(outcome).toMatchObject({ kind: 'exited', code: 0 });
      expect(outcome.kind === 'exited' && outcome.stdout === text).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kills the program when its input file cannot be read, naming the file', async () => {
    const outcome = await runProcessFromFile('sh', ['-c', 'cat >/dev/null; exec sleep 30'], {
      inputFile: '/nonexistent/cibsync-input',
      timeoutMs: 30_000,
    });
    expect(outcome).toMatchObject({ kind: 'input-failed', file: '/nonexistent/cibsync-input' });
  });
});

describe('startLineProcess', () => {
  it('hands over each whole line as it comes, even one split across writes, and keeps the stderr tail', async () => {
    const lines: string[] = [];
    const child = startLineProcess(
      'sh',
      ['-c', "printf 'one\\ntw'; sleep 0.2; printf 'o\\nthree'; echo gone >&2; exit 4"],
      { onLine: (line) => lines.push(line), maxLineBytes: 100 },
    );
    const outcome = await child.outcome;
    expect(lines).toEqual(['one', 'two']);
    expect(outcome).toEqual({ kind: 'exited', code: 4, stdout: 'three', stderr: 'gone\n' });
  });

  it('stop() closes its stdin, so a program that watches it ends by itself', async () => {
    const lines: string[] = [];
    const child = startLineProcess('sh', ['-c', 'echo up; cat >/dev/null; echo bye >&2'], {
      onLine: (line) => lines.push(line),
      maxLineBytes: 100,
    });
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    child.stop();
    expect(await child.outcome).toMatchObject({ kind: expect.stringMatching(/exited|signalled/) });
    expect(lines).toEqual(['up']);
  });

  it('stops a program that prints a line over the limit', async () => {
    const child = startLineProcess('sh', ['-c', 'head -c 5000 /dev/zero | tr "\\0" x; sleep 30'], {
      onLine: () => undefined,
      maxLineBytes: 1000,
    });
    expect(await child.outcome).toEqual({ kind: 'output-too-large', stream: 'stdout', maxBytes: 1000 });
  });
});
