// File-backed CIBs for tests: real Pacemaker tools on real files in a fresh temporary directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pacemaker } from '../../services/pacemaker/index.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'test/fixtures');
export const CLI = join(REPO, 'dist/services/cli/main.js');
export const CORPUS = join(REPO, '../shared/corpus/pacemaker-cts');

export interface Site {
  dir: string;
  cibFile: string;
  stateDir: string;
  pacemaker: Pacemaker;
  /** Runs a Pacemaker tool (or any command) against this site's CIB file. */
  tool(cmd: string, args: string[]): string;
  hash(): string;
  read(): string;
  cleanup(): void;
}

export function tempDir(prefix = 'cibsync-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A site whose CIB file starts as a copy of `source` (a fixture name under test/fixtures/sites, or a path), or `cibadmin --empty`. */
export function makeSite(source?: string): Site {
  const dir = tempDir();
  const cibFile = join(dir, 'cib.xml');
  if (source === undefined) writeFileSync(cibFile, execFileSync('cibadmin', ['--empty'], { encoding: 'utf8' }));
  else copyFileSync(source.includes('/') ? source : join(FIXTURES, 'sites', source), cibFile);
  const env = { ...process.env, CIB_file: cibFile };
  return {
    dir,
    cibFile,
    stateDir: join(dir, 'state'),
    pacemaker: new Pacemaker({ cibFile }),
    tool: (cmd, args) => execFileSync(cmd, args, { env, encoding: 'utf8' }),
    hash: () => createHash('sha256').update(readFileSync(cibFile)).digest('hex'),
    read: () => readFileSync(cibFile, 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `cibsync` command (npm test builds first) with CIB_file pointing at `cibFile`. */
export function cli(
  args: string[],
  options: { cibFile?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, CIBSYNC_LOG_LEVEL: 'warn' };
  if (options.cibFile) env.CIB_file = options.cibFile;
  const r = spawnSync(process.execPath, [CLI, ...args], { env, input: options.input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
