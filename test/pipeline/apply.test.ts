// The guarded apply, on real CIB files.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CibVersion, configurationOfCib } from '../../services/cib/index.js';
import { silentLogger } from '../../services/log.js';
import { Pacemaker } from '../../services/pacemaker/index.js';
import { applyConfiguration, planWrite, SECTION_REPLACE_FROM } from '../../services/pipeline/apply.js';
import { listBackups, saveBackup } from '../../services/state/backups.js';
import { parseXml, sameXml, serialize, type XmlElement } from '../../services/xml/index.js';
import { makeSite, type Site } from '../helpers/sites.js';

let b: Site;
afterEach(() => b?.cleanup());

function candidateFrom(site: Site, edit: (text: string) => string) {
  return parseXml(edit(serialize(configurationOfCib(parseXml(site.read())))));
}

describe('applyConfiguration', () => {
  it('patches, bumps the epoch once, and backs up the previous configuration', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    const out = await applyConfiguration(b.pacemaker, plannedOn, candidate, {
      stateDir: b.stateDir,
      keepBackups: 3,
      logger: silentLogger,
    });
    expect(out.method).toBe('patch');
    expect(out.after.epoch).toBe(8);
    expect(sameXml(configurationOfCib(await b.pacemaker.queryCib()), candidate)).toBe(true);
    expect((await listBackups(b.stateDir)).map((x) => x.number)).toEqual([1]);
  });

  it('writes nothing when the CIB changed since the plan (a concurrent local edit)', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '5']);
    const hash = b.hash();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    await expect(
      applyConfiguration(b.pacemaker, plannedOn, candidate, {
        stateDir: b.stateDir,
        keepBackups: 3,
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({ code: 'CIBSYNC_CIB_CHANGED' });
    expect(b.hash()).toBe(hash);
    expect(await listBackups(b.stateDir)).toEqual([]);
  });

  it('leaves the CIB untouched when Pacemaker refuses the patch', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const hash = b.hash();
    const candidate = candidateFrom(b, (t) => t.replace('<configuration>', '<configuration bogus="1">'));
    const err = await applyConfiguration(b.pacemaker, plannedOn, candidate, {
      stateDir: b.stateDir,
      keepBackups: 3,
      logger: silentLogger,
    }).catch((e) => e);
    expect(err.code).toBe('CIBSYNC_PCMK_INVALID_CONFIG');
    expect(err.message).toMatch(/does not conform to the configured schema/);
    expect(b.hash()).toBe(hash);
  });

  it('never replaces: when the patch does not produce the candidate, it reports a conflict and overwrites nothing', async () => {
    b = makeSite('site-b.xml');
    // A tool layer whose crm_diff answers for another target: the patch applies, the read-back differs.
    class WrongDiff extends Pacemaker {
      override async diff(from: XmlElement): Promise<XmlElement | null> {
        return super.diff(from, parseXml(serialize(from).replace('value="r7"', 'value="r8"')));
      }
    }
    const pacemaker = new WrongDiff({ cibFile: b.cibFile });
    const plannedOn = await pacemaker.queryCib();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    const err = await applyConfiguration(pacemaker, plannedOn, candidate, {
      stateDir: b.stateDir,
      keepBackups: 3,
      logger: silentLogger,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_APPLY_CONFLICT', details: { written: true } });
    expect(err.message).toMatch(/did not produce it/);
    // What the patch wrote stays; nothing else was written over it.
    expect(b.read()).toMatch(/value="r8"/);
    expect(b.read()).toMatch(/score="-INFINITY"/);
    expect((await pacemaker.version()).epoch).toBe(8);
  });
});

/** A tool layer that lets a foreign writer (crm_attribute, no lock) edit the CIB file around its `n`-th query (of the CIB or of its version). */
const LOCAL_EDIT = ['crm_attribute', '--node', 'b2', '--name', 'local-edit', '--update', 'kept'];

function editAroundQuery(site: Site, n: number, when: 'before' | 'after', [tool, ...args] = LOCAL_EDIT) {
  const edit = () => site.tool(tool as string, args);
  let calls = 0;
  const around = async <T>(query: () => Promise<T>): Promise<T> => {
    calls += 1;
    if (calls === n && when === 'before') edit();
    const result = await query();
    if (calls === n && when === 'after') edit();
    return result;
  };
  return new (class extends Pacemaker {
    override queryCib(): Promise<XmlElement> {
      return around(() => super.queryCib());
    }
    override rootVersion(): Promise<CibVersion> {
      return around(() => super.rootVersion());
    }
  })({ cibFile: site.cibFile });
}

describe('a concurrent local edit during the apply', () => {
  async function applyWithEdit(n: number, when: 'before' | 'after', edit?: string[]) {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    const pacemaker = editAroundQuery(b, n, when, edit);
    return applyConfiguration(pacemaker, plannedOn, candidate, {
      stateDir: b.stateDir,
      keepBackups: 3,
      logger: silentLogger,
    }).catch((e) => e);
  }

  it('landing between the epoch check and the patch: the versioned patch is refused, nothing written, the edit kept', async () => {
    const err = await applyWithEdit(1, 'after');
    expect(err.code).toBe('CIBSYNC_CIB_CHANGED');
    expect(b.read()).toMatch(/name="local-edit" value="kept"/);
    expect(b.read()).toMatch(/score="-INFINITY"/);
  });

  it('a status-only change (num_updates) between the check and the patch: the patch is sent again for the new version and lands', async () => {
    const out = await applyWithEdit(1, 'after', ['crm_ticket', '--ticket', 'T', '--grant', '--force']);
    expect(out).toMatchObject({ method: 'patch', after: { epoch: 8 } });
    expect(b.read()).toMatch(/score="-1000"/);
    expect(b.read()).toMatch(/ticket_state id="T" granted="true"/);
  });

  it('landing between the patch and the read-back: reported as a conflict, the edit kept, never replaced', async () => {
    const err = await applyWithEdit(2, 'before');
    expect(err).toMatchObject({ code: 'CIBSYNC_APPLY_CONFLICT', details: { written: true } });
    expect(err.message).toMatch(/another writer changed it/);
    expect(b.read()).toMatch(/name="local-edit" value="kept"/);
    expect(b.read()).toMatch(/score="-1000"/);
  });
});

describe('backups', () => {
  it('removes the temporary file of a backup cut short by a kill -9', async () => {
    b = makeSite('site-b.xml');
    mkdirSync(join(b.stateDir, 'backups'), { recursive: true });
    writeFileSync(
      join(b.stateDir, 'backups', 'configuration-2026-01-01T00-00-00-000Z-0.1.xml.tmp-999999999'),
      '<configuration',
    );
    await saveBackup(b.stateDir, parseXml('<configuration/>'), '0.2', 3);
    expect(readdirSync(join(b.stateDir, 'backups')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('keeps only the newest N', async () => {
    b = makeSite('site-b.xml');
    const c = parseXml('<configuration/>');
    for (let i = 0; i < 5; i++) await saveBackup(b.stateDir, c, `0.${i}`, 3, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    const list = await listBackups(b.stateDir);
    expect(list.map((x) => x.file)).toEqual([
      'configuration-2026-01-01T00-00-04-000Z-0.4.xml',
      'configuration-2026-01-01T00-00-03-000Z-0.3.xml',
      'configuration-2026-01-01T00-00-02-000Z-0.2.xml',
    ]);
  });
});

/** site-b's configuration with `n` Dummy primitives (and as many location constraints) added: n × 2 changed objects. */
function withDummies(site: Site, n: number) {
  const ids = Array.from({ length: n }, (_, i) => `d${i}`);
  return candidateFrom(site, (t) =>
    t
      .replace(
        '</resources>',
        `${ids.map((id) => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`).join('')}</resources>`,
      )
      .replace(
        '</constraints>',
        `${ids.map((id) => `<rsc_location id="l-${id}" rsc="${id}" node="b1" score="10"/>`).join('')}</constraints>`,
      ),
  );
}

describe('the write chosen by the size of the change', () => {
  const options = () => ({ stateDir: b.stateDir, keepBackups: 3, logger: silentLogger });

  it("a small change is crm_diff's patch; from SECTION_REPLACE_FROM changed objects the differing sections are replaced whole", async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const small = await planWrite(b.pacemaker, plannedOn, withDummies(b, 1));
    expect(small.method).toBe('patch');
    const below = await planWrite(b.pacemaker, plannedOn, withDummies(b, SECTION_REPLACE_FROM / 2 - 1));
    expect(below.method).toBe('patch');
    const large = await planWrite(b.pacemaker, plannedOn, withDummies(b, SECTION_REPLACE_FROM / 2));
    expect(large).toMatchObject({ method: 'sections', sections: ['resources', 'constraints'] });
  });

  it('a large change replaces the sections in one versioned write: the candidate, one epoch, the status and the other sections untouched', async () => {
    b = makeSite('site-b.xml');
    b.tool('crm_ticket', ['--ticket', 'T', '--grant', '--force']);
    const plannedOn = await b.pacemaker.queryCib();
    const candidate = withDummies(b, 40);
    const out = await applyConfiguration(b.pacemaker, plannedOn, candidate, options());
    expect(out).toMatchObject({ method: 'sections', after: { epoch: 8 } });
    const after = await b.pacemaker.queryCib();
    expect(sameXml(configurationOfCib(after), candidate)).toBe(true);
    expect(b.read()).toMatch(/ticket_state id="T" granted="true"/);
    expect(b.read()).toMatch(/node_state id="2" uname="b2" in_ccm="true" crmd="online"/);
    expect((await listBackups(b.stateDir)).map((x) => x.number)).toEqual([1]);
  });

  it('the guard: a configuration change after the plan, or landing between the epoch check and the write, writes nothing and keeps the edit', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '5']);
    const hash = b.hash();
    const early = await applyConfiguration(b.pacemaker, plannedOn, withDummies(b, 40), options()).catch((e) => e);
    expect(early.code).toBe('CIBSYNC_CIB_CHANGED');
    expect(b.hash()).toBe(hash);
    b.cleanup();

    b = makeSite('site-b.xml');
    const planned = await b.pacemaker.queryCib();
    const candidate = withDummies(b, 40);
    const write = await planWrite(b.pacemaker, planned, candidate);
    expect(write.method).toBe('sections');
    const err = await applyConfiguration(editAroundQuery(b, 1, 'after'), planned, candidate, {
      ...options(),
      write,
    }).catch((e) => e);
    expect(err.code).toBe('CIBSYNC_CIB_CHANGED');
    expect(b.read()).toMatch(/name="local-edit" value="kept"/);
    expect(b.read()).not.toMatch(/id="d0"/);
  });

  it('the read-back: another writer between the write and the read-back is reported, its edit kept, nothing overwritten', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const err = await applyConfiguration(editAroundQuery(b, 2, 'before'), plannedOn, withDummies(b, 40), {
      ...options(),
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CIBSYNC_APPLY_CONFLICT', details: { written: true } });
    expect(err.message).toMatch(/another writer changed it/);
    expect(b.read()).toMatch(/name="local-edit" value="kept"/);
    expect(b.read()).toMatch(/id="d39"/);
  });

  it('the read-back: a section write that did not produce the candidate is reported, never written over', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const candidate = withDummies(b, 40);
    const write = await planWrite(b.pacemaker, plannedOn, candidate);
    const err = await applyConfiguration(b.pacemaker, plannedOn, withDummies(b, 41), { ...options(), write }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'CIBSYNC_APPLY_CONFLICT', details: { written: true } });
    expect(err.message).toMatch(/did not produce it/);
    expect(b.read()).toMatch(/id="d39"/);
    expect(b.read()).not.toMatch(/id="d40"/);
  });
});
