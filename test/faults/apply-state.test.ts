// An unwritable state directory (cibsync running as an unprivileged user, the folder not its own):
// found before the CIB is written, so the CIB stays byte-identical, the error is a stable code naming
// the path, and asking again gives the same answer without writing anything (no re-import loop).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, useSitesAB } from '../helpers/import.js';
import { importArgs, runCli } from './apply-helpers.js';

const sites = useSitesAB();
const NOBODY = 65534;

describe('an unwritable state directory', () => {
  it('leaves the CIB byte-identical and names the path, every time', async () => {
    const b = sites.b;
    const pub = join(b.dir, 'pub.xml');
    copyFileSync(exportFrom(sites.a), pub);
    const args = importArgs(b, pub);
    // Everything of site B belongs to the unprivileged user, except the state directory.
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, b.dir]);
    mkdirSync(b.stateDir, { mode: 0o755 });
    chownSync(b.stateDir, 0, 0);
    chmodSync(b.stateDir, 0o755);
    const before = b.hash();
    for (let round = 0; round < 3; round++) {
      const run = await runCli(args, { cibFile: b.cibFile, asUser: NOBODY });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`cibsync: CIBSYNC_STATE_ACCESS: cannot create the folder ${b.stateDir}/sources: EACCES`));
      expect(b.hash()).toBe(before);
      expect(readdirSync(b.stateDir)).toEqual([]);
    }
  }, 60_000);
});
