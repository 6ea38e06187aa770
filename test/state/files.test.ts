// The state files: stable codes for file system failures, checked before the CIB is written.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStateWritable, stateAccessError, writeJson } from '../../services/state/files.js';
import { tempDir } from '../helpers/sites.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('state files', () => {
  it('turns EPERM, EACCES and ENOSPC into CIBSYNC_STATE_ACCESS naming the path', () => {
    for (const code of ['EPERM', 'EACCES', 'ENOSPC', 'EROFS']) {
      const err = stateAccessError(
        Object.assign(new Error(`${code}: boom`), { code }),
        '/var/lib/cibsync/x.json',
        'write',
      );
      expect(err).toMatchObject({
        code: 'CIBSYNC_STATE_ACCESS',
        details: { path: '/var/lib/cibsync/x.json', errno: code },
      });
      expect((err as Error).message).toContain('/var/lib/cibsync/x.json');
    }
    const bug = new TypeError('not a file system error');
    expect(stateAccessError(bug, '/x', 'write')).toBe(bug);
  });

  it('finds a target that cannot be replaced before anything is written, and leaves no probe behind', async () => {
    dir = tempDir();
    const d = dir;
    await checkStateWritable([join(d, 'sources', 'a.json'), join(d, 'node-attributes.json')]);
    expect(readdirSync(d).sort()).toEqual(['sources']);
    mkdirSync(join(d, 'node-attributes.json'));
    await expect(checkStateWritable([join(d, 'node-attributes.json')])).rejects.toMatchObject({
      code: 'CIBSYNC_STATE_ACCESS',
      details: { path: join(d, 'node-attributes.json') },
    });
  });

  it('removes temporary files a killed writer left (kill -9 between write and rename)', async () => {
    dir = tempDir();
    const d = dir;
    writeFileSync(join(d, 'node-attributes.json.tmp-999999999'), '{');
    await writeJson(join(d, 'node-attributes.json'), {});
    expect(readdirSync(d)).toEqual(['node-attributes.json']);
  });
});
