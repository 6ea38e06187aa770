// Usage and --help come from each command's option table, and the version from package.json.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type OptionTable, optionsHelp, parseOptions } from '../../services/cli/options.js';
import { isCibsyncError } from '../../services/errors.js';
import { cli, REPO, tempDir } from '../helpers/sites.js';

const TABLE: OptionTable = {
  out: { kind: 'text', short: 'o', value: 'FILE', description: 'write to FILE' },
  ip: { kind: 'texts', value: 'IP', description: 'an address' },
  yes: { kind: 'flag', description: 'do not ask' },
  as: { kind: 'choice', choices: ['text', 'json', 'xml'], description: 'output format' },
  timeout: { kind: 'seconds', description: 'how long' },
  days: { kind: 'count', description: 'validity' },
};

function usageError(argv: string[]): string {
  try {
    parseOptions('cibsync x [options]', argv, TABLE);
  } catch (err) {
    if (!isCibsyncError(err)) throw err;
    expect(err.code).toBe('CIBSYNC_USAGE');
    return err.message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('option tables', () => {
  it('parse and convert each kind; a bad value names the option', () => {
    const { values, positionals } = parseOptions(
      'u',
      ['-o', 'f', '--ip', 'a', '--ip', 'b', '--yes', '--as', 'xml', '--timeout', '1.5', '--days', '30', 'rest'],
      TABLE,
    );
    expect(values).toEqual({ out: 'f', ip: ['a', 'b'], yes: true, as: 'xml', timeout: 1.5, days: 30 });
    expect(positionals).toEqual(['rest']);
    expect(usageError(['--as', 'yaml'])).toBe("--as must be text, json or xml, got 'yaml'");
    expect(usageError(['--timeout', 'abc'])).toBe("--timeout must be a positive number of seconds, got 'abc'");
    expect(usageError(['--days', '1.5'])).toBe("--days must be a positive integer, got '1.5'");
    expect(usageError(['--days', '0'])).toBe("--days must be a positive integer, got '0'");
    expect(usageError(['--nope'])).toMatch(/^Unknown option '--nope'.*\nusage: cibsync x \[options\]$/s);
  });

  it('the help lists every option with its value and description, and --help', () => {
    expect(optionsHelp(TABLE).split('\n')).toEqual([
      '  -o, --out FILE          write to FILE',
      '      --ip IP …           an address',
      '      --yes               do not ask',
      '      --as text|json|xml  output format',
      '      --timeout SECONDS   how long',
      '      --days N            validity',
      '  -h, --help              show this help',
    ]);
  });
});

describe('the built command', () => {
  it.each([
    'export',
    'import',
    'transform',
    'plan',
    'rollback',
    'hold',
    'resume',
    'certs',
    'publisher',
    'subscriber',
    'replicate-now',
    'scopes',
    'status',
  ])('%s --help shows the usage and every option', (name) => {
    const r = cli([name, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: cibsync ${name}`, 'm'));
    expect(r.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
  });

  it('the settings flags are described by the settings schema, with their allowed values', () => {
    const help = cli(['import', '--help']).stdout;
    expect(help).toMatch(
      /^ +--log-level LEVEL +pino log level .*; one of fatal, error, warn, info, debug, trace, silent \(setting logLevel\)$/m,
    );
    expect(help).toMatch(/^ +--engine xsltproc\|xslt-processor +the XSLT engine \(setting engine\)$/m);
    expect(help).toMatch(/^ +--approval auto\|manual +/m);
  });

  it('a bad choice or count is a usage error naming the option', () => {
    const approval = cli(['import', 'x.json', '--approval', 'later']);
    expect(approval.code).toBe(2);
    expect(approval.stderr).toContain("CIBSYNC_USAGE: --approval must be auto or manual, got 'later'");
    const days = cli(['certs', 'init-ca', '--dir', tempDir('cibsync-days-'), '--days', 'abc']);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain("CIBSYNC_USAGE: --days must be a positive integer, got 'abc'");
  });

  it("--version is package.json's", () => {
    // A copy of the build beside a package.json of another version: the version is read, not written in.
    const root = tempDir('cibsync-version-');
    dirs.push(root);
    cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    mkdirSync(root, { recursive: true });
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'cibsync', version: '9.8.7-test', type: 'module' }),
    );
    const r = spawnSync(process.execPath, [join(root, 'dist/services/cli/main.js'), '--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe('cibsync 9.8.7-test\n');
  });
});
