// How the xsltproc engine reports a run that did not give a result: a missing program, a timeout, a
// failing exit (stand-in programs, real xsltproc for the stylesheet error).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XsltprocEngine } from '../../services/transform/xsltproc.js';

const INPUT = '<configuration><resources/></configuration>';
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function program(body: string): string {
  dir = mkdtempSync(join(tmpdir(), 'cibsync-xsltproc-'));
  const path = join(dir, 'fake-xsltproc');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('xsltproc engine', () => {
  it('reports a missing program as CIBSYNC_TOOL_MISSING naming the package', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cibsync-xsltproc-'));
    const err = await new XsltprocEngine(join(dir, 'no-xsltproc'))
      .transform('t.xsl', INPUT, {})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_TOOL_MISSING' });
    expect((err as Error).message).toMatch(/is not installed \(Debian package xsltproc\)/);
  });

  it('kills a run at its timeout: CIBSYNC_TRANSFORM_FAILED saying so', async () => {
    const err = await new XsltprocEngine(program('exec sleep 30'), 500)
      .transform('t.xsl', INPUT, {})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_TRANSFORM_FAILED', details: { stylesheet: 't.xsl' } });
    expect((err as Error).message).toMatch(/^t\.xsl: xsltproc killed at the timeout \(500 ms\)/);
  });

  it('keeps the exit status and the first lines of stderr of a failed run', async () => {
    const err = await new XsltprocEngine(
      program('cat >/dev/null; echo "compilation error: x" >&2; echo second >&2; exit 5'),
    )
      .transform('t.xsl', INPUT, {})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_TRANSFORM_FAILED', details: { exit: 5 } });
    expect((err as Error).message).toBe('t.xsl: xsltproc exit 5: compilation error: x; second');
  });

  it('hands the input and the parameters to the program and returns its output', async () => {
    const out = await new XsltprocEngine(program('echo "$@"; cat')).transform('t.xsl', INPUT, { local_site: 'siteB' });
    expect(out).toBe(`--nonet --novalid --nowrite --nomkdir --stringparam local_site siteB t.xsl -\n${INPUT}`);
  });
});
