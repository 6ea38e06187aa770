// An unwritable state directory (cibsync running as an unprivileged user, the folder not its own):
// found before the CIB is written, so the CIB stays byte-identical, the error is a stable code naming
// the path, and asking again gives the same answer without writing anything (no re-import loop).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, useSitesAB } from '../helpers/import.js';
import { importArgs, runCli } from './apply-helpers.js';

const sites = useSitesAB();
const NOBODY = 65534;

/**
 * Lets the unprivileged user read the files the import's configuration names (the shared test setup
 * may keep some, such as a CA, in root's private temporary folders): read and search bits are only
 * ever added.
 */
function shareConfiguredFiles(args: string[]): void {
  const addBits = (path: string, bits: number) => chmodSync(path, statSync(path).mode | bits);
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('/') && existsSync(value) && statSync(value).isFile()) {
      addBits(value, 0o004);
      addBits(dirname(value), 0o001);
    } else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(JSON.parse(readFileSync(args[args.indexOf('--config') + 1] as string, 'utf8')));
}

describe('an unwritable state directory', () => {
  // The whole folder; or only sources/, which an import writes after the CIB (the backup, before it, could be written).
  it.each([
    ['the state directory', '', 'create the folder STATE/sources'],
    ['its sources/ folder', 'sources', 'write STATE/sources/siteA.json'],
  ])(
    '%s: the CIB stays byte-identical and the path is named, every time',
    async (_what, sub, message) => {
      const b = sites.b;
      const pub = join(b.dir, 'pub.xml');
      copyFileSync(exportFrom(sites.a), pub);
      const args = importArgs(b, pub);
      shareConfiguredFiles(args);
      // Everything of site B belongs to the unprivileged user, except the folder under test.
      mkdirSync(join(b.stateDir, sub), { recursive: true });
      execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, b.dir]);
      const locked = join(b.stateDir, sub);
      chownSync(locked, 0, 0);
      chmodSync(locked, 0o755);
      const before = b.hash();
      for (let round = 0; round < 3; round++) {
        const run = await runCli(args, { cibFile: b.cibFile, asUser: NOBODY });
        expect(b.hash(), run.stderr).toBe(before);
        expect(run.stderr).toContain(
          `cibsync: CIBSYNC_STATE_ACCESS: cannot ${message.replace('STATE', b.stateDir)}: EACCES`,
        );
        expect(run.code, run.stderr).toBe(2);
        expect(readdirSync(locked)).toEqual([]);
      }
    },
    60_000,
  );
});
