// Item 9: `cibsync rollback --list | head -1` died with an EPIPE stack trace. A reader that closes the
// pipe early ends every command quietly: exit 0 (what `head` and shell pipelines expect), no stack.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers/sites.js';

const state = tempDir('cibsync-epipe-');
mkdirSync(join(state, 'backups'));
for (let i = 0; i < 3; i++)
  writeFileSync(join(state, 'backups', `configuration-2026-01-0${i}-1.${i}.xml`), '<configuration/>');
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** Runs the CLI with its stdout closed by the reader before the command writes anything. */
function withClosedStdout(
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('a closed stdout (EPIPE) ends a command quietly', () => {
  it.each([
    ['rollback --list', ['rollback', '--list', '--state-dir', state]],
    ['the usage', ['--help']],
    ["a command's --help", ['status', '--help']],
    ['transform --help', ['transform', '--help']],
  ])('%s', async (_name, args) => {
    const r = await withClosedStdout(args);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
