// The tool layer against real Pacemaker tools on real CIB files.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { versionOf } from '../../services/cib/index.js';
import { errorCodeForExit, Pacemaker } from '../../services/pacemaker/index.js';
import { runTool } from '../../services/pacemaker/run.js';
import { parseXml } from '../../services/xml/index.js';
import { makeSite, type Site } from '../helpers/sites.js';

let sites: Site[] = [];
afterEach(() => {
  for (const s of sites) s.cleanup();
  sites = [];
});
function site(source?: string): Site {
  const s = makeSite(source);
  sites.push(s);
  return s;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('queries', () => {
  it('reads the whole CIB, one section and the version', async () => {
    const s = site('site-a.xml');
    const cib = await s.pacemaker.queryCib();
    expect(cib.name).toBe('cib');
    expect((await s.pacemaker.querySection('resources')).name).toBe('resources');
    expect(await s.pacemaker.version()).toEqual({ admin_epoch: 0, epoch: 20, num_updates: 0 });
  });

  it('maps a missing CIB file to CIBSYNC_PCMK_NO_SUCH_OBJECT with the tool message', async () => {
    const p = new Pacemaker({ cibFile: '/nonexistent/cib.xml' });
    await expect(p.queryCib()).rejects.toMatchObject({
      code: 'CIBSYNC_PCMK_NO_SUCH_OBJECT',
      message: expect.stringContaining('cibadmin'),
    });
  });
});

describe('writes', () => {
  async function patchTo(s: Site, edit: (text: string) => string) {
    const from = await s.pacemaker.queryCib();
    return { from, patch: (await s.pacemaker.diff(from, parseXml(edit(s.read()))))! };
  }

  it('applies a patch versioned for the current CIB and bumps the epoch once', async () => {
    const s = site('site-b.xml');
    const { from, patch } = await patchTo(s, (t) => t.replace('value="r7"', 'value="r9"'));
    expect(patch.name).toBe('diff');
    expect(await s.pacemaker.diff(from, from)).toBeNull();
    await s.pacemaker.write((w) => w.patch(patch, versionOf(from)));
    expect(await s.pacemaker.queryNodeAttribute('b1', 'rack')).toBe('r9');
    expect((await s.pacemaker.version()).epoch).toBe(8);
    expect(readdirSync(s.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a patch versioned for another CIB version (older, newer, or num_updates moved): CIBSYNC_CIB_CHANGED, file byte-identical', async () => {
    const s = site('site-b.xml');
    const { from, patch } = await patchTo(s, (t) => t.replace('value="r7"', 'value="r9"'));
    s.tool('crm_ticket', ['--ticket', 'T', '--grant', '--force']); // a status change: num_updates 0 → 1
    const before = s.hash();
    for (const source of [
      versionOf(from),
      { ...versionOf(from), num_updates: 2 },
      { ...versionOf(from), epoch: 6 },
      { ...versionOf(from), epoch: 9 },
    ]) {
      expect(await codeOf(s.pacemaker.write((w) => w.patch(patch, source)))).toBe('CIBSYNC_CIB_CHANGED');
      expect(s.hash()).toBe(before);
    }
    await s.pacemaker.write(async (w) => w.patch(patch, await s.pacemaker.version()));
    expect(await s.pacemaker.queryNodeAttribute('b1', 'rack')).toBe('r9');
  });

  it('refuses a schema-invalid patch with CIBSYNC_PCMK_INVALID_CONFIG and leaves the file alone', async () => {
    const s = site('site-b.xml');
    const { from, patch } = await patchTo(s, (t) => t.replace('score="-INFINITY"', 'score="-INFINITY" bogus="1"'));
    const before = s.hash();
    expect(await codeOf(s.pacemaker.write((w) => w.patch(patch, versionOf(from))))).toBe('CIBSYNC_PCMK_INVALID_CONFIG');
    expect(s.hash()).toBe(before);
  });

  it('removes the temporary copies a killed writer left, and only those', async () => {
    const s = site('site-b.xml');
    const dead = spawnSync('true').pid as number;
    writeFileSync(`${s.cibFile}.tmp-${dead}`, '<cib');
    writeFileSync(`${s.cibFile}.tmp-${process.ppid}`, '<cib'); // a live process's: left alone
    const { from, patch } = await patchTo(s, (t) => t.replace('value="r7"', 'value="r9"'));
    await s.pacemaker.write((w) => w.patch(patch, versionOf(from)));
    expect(readdirSync(s.dir).filter((f) => f.includes('.tmp-'))).toEqual([`cib.xml.tmp-${process.ppid}`]);
  });
});

describe('node attributes', () => {
  it('queries permanent and reboot attributes', async () => {
    const s = site('site-b.xml');
    s.tool('crm_attribute', ['--node', 'b2', '--name', 'role', '--update', 'standby-db']);
    s.tool('crm_attribute', ['--node', 'b2', '--name', 'ready', '--lifetime', 'reboot', '--update', '1']);
    expect(await s.pacemaker.queryNodeAttribute('b2', 'role')).toBe('standby-db');
    expect(await s.pacemaker.queryNodeAttribute('b2', 'ready', 'reboot')).toBe('1');
    expect(await s.pacemaker.queryNodeAttribute('b2', 'ready')).toBeUndefined();
  });

  it('serialises concurrent writers across processes (no lost update)', async () => {
    const s = site('site-b.xml');
    // Separate processes, each with its own tool layer: only the cross-process lock keeps them apart.
    const script = `
      import { Pacemaker } from ${JSON.stringify(new URL('../../dist/services/pacemaker/index.js', import.meta.url).href)};
      import { versionOf } from ${JSON.stringify(new URL('../../dist/services/cib/index.js', import.meta.url).href)};
      import { parseXml, serialize } from ${JSON.stringify(new URL('../../dist/services/xml/index.js', import.meta.url).href)};
      const p = new Pacemaker({ cibFile: process.argv[1] });
      const i = process.argv[2];
      await p.write(async (w) => {
        const from = await p.queryCib();
        const to = parseXml(serialize(from).replace('<node id="2" uname="b2">', '<node id="2" uname="b2"><instance_attributes id="ia-' + i + '"><nvpair id="nv-' + i + '" name="attr-' + i + '" value="' + i + '"/></instance_attributes>'));
        await w.patch(await p.diff(from, to), versionOf(from));
      });`;
    s.tool('crm_attribute', ['--node', 'b2', '--name', 'seed', '--update', '1']); // gives b2 a start tag to hang sets on
    const runs = Array.from(
      { length: 12 },
      (_, i) =>
        new Promise<number>((resolve) =>
          spawn(process.execPath, ['--input-type=module', '-e', script, s.cibFile, String(i)], { stdio: 'ignore' }).on(
            'close',
            (c) => resolve(c ?? -1),
          ),
        ),
    );
    expect(await Promise.all(runs)).toEqual(Array(12).fill(0));
    for (let i = 0; i < 12; i++) expect(await s.pacemaker.queryNodeAttribute('b2', `attr-${i}`)).toBe(String(i));
  });
});

describe('tickets', () => {
  it('reads granted, standby and owner, and revokes', async () => {
    const s = site('site-a.xml');
    expect(await s.pacemaker.ticket('ticketA')).toMatchObject({ granted: false, standby: false });
    await s.pacemaker.write((w) => w.grantTicket('ticketA'));
    expect(await s.pacemaker.ticket('ticketA')).toMatchObject({ granted: true, standby: false });
    await s.pacemaker.write((w) => w.standbyTicket('ticketA'));
    expect(await s.pacemaker.ticket('ticketA')).toMatchObject({ granted: true, standby: true });
    await s.pacemaker.write((w) => w.activateTicket('ticketA'));
    s.tool('crm_ticket', ['--ticket', 'ticketA', '--set-attr', 'owner', '--attr-value', '1']);
    expect(await s.pacemaker.ticket('ticketA')).toMatchObject({ granted: true, standby: false, owner: '1' });
    await s.pacemaker.write((w) => w.revokeTicket('ticketA'));
    expect((await s.pacemaker.ticket('ticketA')).granted).toBe(false);
  });

  it('reports a ticket nobody mentions as not granted', async () => {
    const s = site('site-b.xml');
    expect(await s.pacemaker.ticket('no-such-ticket')).toMatchObject({ granted: false });
  });
});

describe('crm_verify', () => {
  it('rates a clean CIB clean', async () => {
    const s = site('site-a.xml');
    expect((await s.pacemaker.verify(await s.pacemaker.queryCib())).level).toBe('clean');
  });

  it('keeps the errors of a CIB without fencing', async () => {
    const s = site();
    const v = await s.pacemaker.verify(s.read());
    expect(v.level).toBe('errors');
    expect(v.errors.join('\n')).toMatch(/no STONITH resources have been defined/);
  });

  it('reports schema errors separately', async () => {
    const s = site('site-b.xml');
    const v = await s.pacemaker.verify(
      s
        .read()
        .replace(
          '<rsc_location id="fence-b-not-on-b1"',
          '<rsc_ticket id="t" rsc="fence-b" ticket="T" loss-policy="explode"/><rsc_location id="fence-b-not-on-b1"',
        ),
    );
    expect(v.level).toBe('errors');
    expect(v.schemaErrors.join('\n')).toMatch(/Relax-NG validity error|Invalid attribute loss-policy/);
  });

  it('reports warnings as warnings', async () => {
    const s = site('site-b.xml');
    const withLsbClone = s
      .read()
      .replace(
        '</resources>',
        '<clone id="c1"><meta_attributes id="c1-m"><nvpair id="c1-gu" name="globally-unique" value="true"/></meta_attributes><primitive id="l1" class="lsb" type="cron"/></clone></resources>',
      );
    const v = await s.pacemaker.verify(withLsbClone);
    expect(v.level).toBe('warnings');
    expect(v.warnings.join('\n')).toMatch(/globally-unique/);
  });
});

describe('crm_simulate', () => {
  it('lists the starts the scheduler plans', async () => {
    const s = site('site-b.xml');
    const cib = parseXml(
      s
        .read()
        .replace('</resources>', '<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/></resources>'),
    );
    const actions = await s.pacemaker.simulate(cib);
    expect(actions).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'start', resource: 'd1' })]));
  });
});

describe('exit codes', () => {
  const env = (cibFile: string) => ({ ...process.env, CIB_file: cibFile });

  it.each([
    [4, 'CIBSYNC_PCMK_INSUFFICIENT_PRIVILEGES'],
    [76, 'CIBSYNC_PCMK_PROTOCOL'],
    [78, 'CIBSYNC_PCMK_INVALID_CONFIG'],
    [102, 'CIBSYNC_PCMK_NOT_CONNECTED'],
    [103, 'CIBSYNC_PCMK_OLD_DATA'],
    [105, 'CIBSYNC_PCMK_NO_SUCH_OBJECT'],
    [108, 'CIBSYNC_PCMK_EXISTS'],
    [124, 'CIBSYNC_PCMK_TIMEOUT'],
    [1, 'CIBSYNC_PCMK_ERROR'],
  ])('maps exit %i to %s', (exit, code) => {
    expect(errorCodeForExit(exit)).toBe(code);
  });

  it('gets 4 from crm_ticket --grant without --force', async () => {
    const s = site('site-a.xml');
    expect(
      await codeOf(
        runTool('crm_ticket', ['--ticket', 'ticketA', '--grant'], { env: env(s.cibFile), timeoutMs: 30_000 }),
      ),
    ).toBe('CIBSYNC_PCMK_INSUFFICIENT_PRIVILEGES');
  });

  it('gets 76 from crm_verify on a bare configuration', async () => {
    const s = site('site-a.xml');
    const file = join(s.dir, 'config-only.xml');
    writeFileSync(file, '<configuration><crm_config/><nodes/><resources/><constraints/></configuration>');
    expect(await codeOf(runTool('crm_verify', ['--xml-file', file], { env: env(s.cibFile), timeoutMs: 30_000 }))).toBe(
      'CIBSYNC_PCMK_PROTOCOL',
    );
  });

  it('gets 102 from the live cluster when none runs', async () => {
    const { CIB_file: _unused, ...rest } = process.env;
    expect(await codeOf(runTool('cibadmin', ['--query'], { env: rest, timeoutMs: 30_000 }))).toBe(
      'CIBSYNC_PCMK_NOT_CONNECTED',
    );
  });

  it('gets 103 from a whole-CIB replace with an older epoch', async () => {
    const s = site('site-a.xml');
    const file = join(s.dir, 'older.xml');
    writeFileSync(file, s.read().replace('epoch="20"', 'epoch="3"'));
    expect(
      await codeOf(runTool('cibadmin', ['--replace', '--xml-file', file], { env: env(s.cibFile), timeoutMs: 30_000 })),
    ).toBe('CIBSYNC_PCMK_OLD_DATA');
  });

  it('gets 108 from creating an existing id', async () => {
    const s = site('site-b.xml');
    expect(
      await codeOf(
        runTool(
          'cibadmin',
          [
            '--create',
            '--scope',
            'resources',
            '--xml-text',
            '<primitive id="fence-b" class="stonith" type="fence_ipmilan"/>',
          ],
          { env: env(s.cibFile), timeoutMs: 30_000 },
        ),
      ),
    ).toBe('CIBSYNC_PCMK_EXISTS');
  });

  it('times a hanging tool out as CIBSYNC_PCMK_TIMEOUT', async () => {
    expect(await codeOf(runTool('sleep', ['5'], { env: process.env, timeoutMs: 100 }))).toBe('CIBSYNC_PCMK_TIMEOUT');
  });

  it('reports a missing program as CIBSYNC_TOOL_MISSING', async () => {
    expect(await codeOf(runTool('cibadmin-not-installed', [], { env: process.env, timeoutMs: 1000 }))).toBe(
      'CIBSYNC_TOOL_MISSING',
    );
  });

  it('stops a tool that prints more than the output cap: CIBSYNC_TOOL_OUTPUT_TOO_LARGE naming the command and the stream', async () => {
    const err = await runTool('sh', ['-c', 'head -c 100000 /dev/zero'], {
      env: process.env,
      timeoutMs: 30_000,
      maxOutputBytes: 1000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CIBSYNC_TOOL_OUTPUT_TOO_LARGE',
      details: { tool: 'sh', stream: 'stdout', maxBytes: 1000 },
    });
    expect((err as Error).message).toMatch(/^sh -c head -c 100000 \/dev\/zero: printed more than 1000 bytes on stdout/);
  });

  it('reports a tool killed by a signal as CIBSYNC_PCMK_ERROR naming the signal', async () => {
    const err = await runTool('sh', ['-c', 'kill -TERM $$'], { env: process.env, timeoutMs: 30_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CIBSYNC_PCMK_ERROR', details: { signal: 'SIGTERM' } });
  });
});
