// Option checks of the built CLI: a bad value is a usage error (exit 2) that names the option,
// never a NaN or a silently ignored value; `certs init-ca --dir` creates a missing directory.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/sites.js';

let dir: string;

beforeAll(() => {
  dir = tempDir('cibsync-options-');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('option values', () => {
  it.each([['abc'], ['0'], ['-5'], [''], ['Infinity']])('--timeout %j is refused before anything is asked', (value) => {
    const r = cli(['status', '--subscriber', 'https://127.0.0.1:9', `--timeout=${value}`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/CIBSYNC_USAGE: --timeout must be a positive number of seconds/);
  });

  it('certs init-ca --dir creates a missing directory, owner only', () => {
    const ca = join(dir, 'new', 'pki');
    const r = cli(['certs', 'init-ca', '--dir', ca, '--bits', '2048']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(ca, 'ca.crt'))).toBe(true);
    expect(statSync(ca).mode & 0o777).toBe(0o700);
    expect(statSync(join(ca, 'ca.key')).mode & 0o777).toBe(0o600);
  });

  it('certs show --output-as accepts text and json only', () => {
    const crt = join(dir, 'new', 'pki', 'ca.crt');
    expect(JSON.parse(cli(['certs', 'show', crt, '--output-as=json']).stdout)[0].isCa).toBe(true);
    const r = cli(['certs', 'show', crt, '--output-as=yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CIBSYNC_USAGE: --output-as must be text or json/);
  });
});
