// The guarded apply, on real CIB files.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/log.js';
import { applyConfiguration, configurationOf } from '../../services/pipeline/apply.js';
import { listBackups, saveBackup } from '../../services/pipeline/backup.js';
import { Pacemaker } from '../../services/pacemaker/index.js';
import { parseXml, sameXml, serialize, type XmlElement } from '../../services/xml/index.js';
import { makeSite, type Site } from '../helpers/sites.js';

let b: Site;
afterEach(() => b?.cleanup());

function candidateFrom(site: Site, edit: (text: string) => string) {
  return parseXml(edit(serialize(configurationOf(parseXml(site.read())))));
}

describe('applyConfiguration', () => {
  it('patches, bumps the epoch once, and backs up the previous configuration', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    const out = await applyConfiguration(b.pacemaker, plannedOn, candidate, { stateDir: b.stateDir, keepBackups: 3, logger: silentLogger });
    expect(out.method).toBe('patch');
    expect(out.after.epoch).toBe(8);
    expect(sameXml(configurationOf(await b.pacemaker.queryCib()), candidate)).toBe(true);
    expect((await listBackups(b.stateDir)).map((x) => x.number)).toEqual([1]);
  });

  it('writes nothing when the CIB changed since the plan (a concurrent local edit)', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '5']);
    const hash = b.hash();
    const candidate = candidateFrom(b, (t) => t.replace('score="-INFINITY"', 'score="-1000"'));
    await expect(applyConfiguration(b.pacemaker, plannedOn, candidate, { stateDir: b.stateDir, keepBackups: 3, logger: silentLogger })).rejects.toMatchObject({ code: 'CIBSYNC_CIB_CHANGED' });
    expect(b.hash()).toBe(hash);
    expect(await listBackups(b.stateDir)).toEqual([]);
  });

  it('leaves the CIB untouched when Pacemaker refuses the patch', async () => {
    b = makeSite('site-b.xml');
    const plannedOn = await b.pacemaker.queryCib();
    const hash = b.hash();
    const candidate = candidateFrom(b, (t) => t.replace('<configuration>', '<configuration bogus="1">'));
    const err = await applyConfiguration(b.pacemaker, plannedOn, candidate, { stateDir: b.stateDir, keepBackups: 3, logger: silentLogger }).catch((e) => e);
    expect(err.code).toBe('CIBSYNC_PCMK_INVALID_CONFIG');
    expect(err.message).toMatch(/does not conform to the configured schema/);
    expect(b.hash()).toBe(hash);
  });

  it('falls back to a section replace when the patch does not produce the candidate', async () => {
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
    const out = await applyConfiguration(pacemaker, plannedOn, candidate, { stateDir: b.stateDir, keepBackups: 3, logger: silentLogger });
    expect(out.method).toBe('replace');
    expect(sameXml(configurationOf(await pacemaker.queryCib()), candidate)).toBe(true);
  });
});

describe('backups', () => {
  it('keeps only the newest N', async () => {
    b = makeSite('site-b.xml');
    const c = parseXml('<configuration/>');
    for (let i = 0; i < 5; i++) await saveBackup(b.stateDir, c, `0.${i}`, 3, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    const list = await listBackups(b.stateDir);
    expect(list.map((x) => x.file)).toEqual(['configuration-2026-01-01T00-00-04-000Z-0.4.xml', 'configuration-2026-01-01T00-00-03-000Z-0.3.xml', 'configuration-2026-01-01T00-00-02-000Z-0.2.xml']);
  });
});
