// A local edit (crm_attribute, which takes no cibsync lock, like pcs or crmsh) injected before and
// after every cibadmin call of `cibsync import`, through a cibadmin wrapper on PATH: the edit is never
// lost; once the import has planned, it reports a conflict instead of writing over the edit; the next
// import plans again and applies on top of it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, useSitesAB } from '../helpers/import.js';
import type { Site } from '../helpers/sites.js';
import { configurationMeaning, freshB, importArgs, runCli } from './apply-helpers.js';

const sites = useSitesAB();
const EDIT = 'name="local-edit" value="kept"';

/** A PATH entry whose `cibadmin` counts its calls and runs the edit on the real CIB before or after call INJECT_AT. */
function wrapperDir(b: Site): string {
  const bin = join(b.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v cibadmin'], { encoding: 'utf8' }).trim();
  const script = `#!/bin/sh
n=$(( $(cat "$INJECT_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$INJECT_COUNTER"
echo "$n $*" >> "$INJECT_LOG"
edit() { CIB_file="$INJECT_CIB" crm_attribute --node b2 --name local-edit --update kept >/dev/null; }
[ "$n" = "$INJECT_AT" ] && [ "$INJECT_WHEN" = before ] && edit
${real} "$@"
rc=$?
[ "$n" = "$INJECT_AT" ] && [ "$INJECT_WHEN" = after ] && edit
exit $rc
`;
  writeFileSync(join(bin, 'cibadmin'), script);
  chmodSync(join(bin, 'cibadmin'), 0o755);
  return bin;
}

async function importWithEdit(b: Site, pub: string, at: number, when: 'before' | 'after') {
  const env = {
    PATH: `${wrapperDir(b)}:${process.env.PATH}`,
    INJECT_COUNTER: join(b.dir, 'counter'),
    INJECT_LOG: join(b.dir, 'calls'),
    INJECT_CIB: b.cibFile,
    INJECT_AT: String(at),
    INJECT_WHEN: when,
  };
  writeFileSync(env.INJECT_COUNTER, '0');
  writeFileSync(env.INJECT_LOG, '');
  const run = await runCli(importArgs(b, pub), { cibFile: b.cibFile, env });
  return { run, calls: readFileSync(env.INJECT_LOG, 'utf8').trim().split('\n') };
}

describe('a local edit between the steps of the apply', () => {
  it('is never lost, is reported as a conflict once planned over, and the next import applies on top of it', async () => {
    const pub = exportFrom(sites.a);
    // The undisturbed import: the calls to inject around, and the state to reach.
    const reference = freshB(sites.b);
    const { run: clean, calls } = await importWithEdit(reference, pub, 0, 'before');
    expect(clean.code, clean.stderr).toBe(0);
    expect(calls.map((c) => c.split(' ')[1])).toEqual(['--query', '--query', '--patch', '--query']); // plan, check, write, read back
    reference.tool('crm_attribute', ['--node', 'b2', '--name', 'local-edit', '--update', 'kept']);
    const target = configurationMeaning(reference.cibFile);
    reference.cleanup();

    const conflicts: string[] = [];
    for (let at = 1; at <= calls.length; at++) {
      for (const when of ['before', 'after'] as const) {
        const b = freshB(sites.b);
        try {
          const { run } = await importWithEdit(b, pub, at, when);
          const label = `edit ${when} cibadmin call ${at} (${calls[at - 1]})`;
          expect(b.read(), label).toContain(EDIT);
          // Between planning (after call 1) and the end of the write (before call 4 ends), it is a conflict.
          const planned = at > 1 || when === 'after';
          const written = at === 4 && when === 'after';
          if (planned && !written) {
            expect(run.code, `${label}: ${run.stderr}`).toBe(6);
            expect(run.stderr, label).toMatch(/cibsync: CIBSYNC_(CIB_CHANGED|APPLY_CONFLICT):/);
            conflicts.push(/CIBSYNC_\w+/.exec(run.stderr)?.[0] ?? '');
          } else {
            expect(run.code, `${label}: ${run.stderr}`).toBe(0);
          }
          const next = await runCli(importArgs(b, pub), { cibFile: b.cibFile });
          expect(next.code, next.stderr).toBe(0);
          expect(b.read(), label).toContain(EDIT);
          expect(configurationMeaning(b.cibFile), label).toEqual(target);
        } finally {
          b.cleanup();
        }
      }
    }
    expect(conflicts).toContain('CIBSYNC_APPLY_CONFLICT');
    expect(conflicts).toContain('CIBSYNC_CIB_CHANGED');
  }, 180_000);
});
