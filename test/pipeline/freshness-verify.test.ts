import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkFreshness } from '../../services/pipeline/freshness.js';
import { verifyCandidate } from '../../services/pipeline/verify.js';
import type { Publication } from '../../services/publication/index.js';
import { recordApplied } from '../../services/state/sources.js';
import { resolveChain, runChain } from '../../services/transform/chain.js';
import { createEngine } from '../../services/transform/engine.js';
import { firstChild, parseXml, serialize, type XmlElement } from '../../services/xml/index.js';
import { FIXTURES, makeSite, type Site } from '../helpers/sites.js';

let site: Site;
afterEach(() => site?.cleanup());

const pub = (epoch: number, adminEpoch = 0) =>
  ({ site: 'siteA', adminEpoch, epoch, digest: `d${epoch}` }) as Publication;

describe('freshness', () => {
  it('refuses an older publication from the same site, accepts equal or newer, and other sites', async () => {
    site = makeSite('site-b.xml');
    await recordApplied(site.stateDir, pub(20));
    await expect(checkFreshness(site.stateDir, pub(19))).rejects.toMatchObject({ code: 'CIBSYNC_PUBLICATION_STALE' });
    await expect(checkFreshness(site.stateDir, pub(20))).resolves.toMatchObject({ epoch: 20 });
    await expect(checkFreshness(site.stateDir, pub(1, 1))).resolves.toBeDefined();
    await expect(checkFreshness(site.stateDir, { ...pub(1), site: 'siteC' })).resolves.toBeUndefined();
  });
});

describe('verifyCandidate', () => {
  const withExtra = (cib: XmlElement, xml: string) =>
    parseXml(serialize(firstChild(cib, 'configuration')!).replace('</resources>', `${xml}</resources>`));
  const lsbClone =
    '<clone id="c1"><meta_attributes id="c1-m"><nvpair id="c1-gu" name="globally-unique" value="true"/></meta_attributes><primitive id="l1" class="lsb" type="cron"/></clone>';

  it('accepts a candidate as good as the local CIB', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    const out = await verifyCandidate(
      site.pacemaker,
      cib,
      withExtra(cib, '<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>'),
      { baseline: 'local', sourceVerdict: { level: 'clean', messages: [] } },
    );
    expect(out.candidate.level).toBe('clean');
  });

  it('asks crm_verify once about the candidate and once about the baseline, and the baseline again from memory', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    const verify = vi.spyOn(site.pacemaker, 'verify');
    const candidate = withExtra(cib, '<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>');
    await verifyCandidate(site.pacemaker, cib, candidate, {
      baseline: 'local',
      sourceVerdict: { level: 'clean', messages: [] },
    });
    expect(verify).toHaveBeenCalledTimes(2);
    const baselineRun = verify.mock.results[0]?.value as Promise<unknown>;
    await verifyCandidate(
      site.pacemaker,
      cib,
      withExtra(cib, '<primitive id="e" class="ocf" provider="pacemaker" type="Dummy"/>'),
      { baseline: 'local', sourceVerdict: { level: 'clean', messages: [] } },
    );
    expect(verify.mock.results[2]?.value).toBe(baselineRun); // the same remembered answer, no new crm_verify
  });

  it('refuses new warnings against a clean local baseline, accepts them when the source had them', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    const candidate = withExtra(cib, lsbClone);
    await expect(
      verifyCandidate(site.pacemaker, cib, candidate, {
        baseline: 'local',
        sourceVerdict: { level: 'warnings', messages: [] },
      }),
    ).rejects.toMatchObject({ code: 'CIBSYNC_CANDIDATE_WORSE', message: expect.stringMatching(/globally-unique/) });
    await expect(
      verifyCandidate(site.pacemaker, cib, candidate, {
        baseline: 'source',
        sourceVerdict: { level: 'warnings', messages: [] },
      }),
    ).resolves.toMatchObject({ candidate: { level: 'warnings' } });
  });

  it('always refuses a schema-invalid candidate', async () => {
    site = makeSite('site-b.xml');
    const cib = await site.pacemaker.queryCib();
    const candidate = parseXml(
      serialize(firstChild(cib, 'configuration')!).replace('score="-INFINITY"', 'score="-INFINITY" bogus="1"'),
    );
    await expect(
      verifyCandidate(site.pacemaker, cib, candidate, {
        baseline: 'source',
        sourceVerdict: { level: 'errors', messages: [] },
      }),
    ).rejects.toMatchObject({ code: 'CIBSYNC_CANDIDATE_SCHEMA_INVALID' });
  });
});

describe('transform chain', () => {
  it('runs the stylesheets in name order and passes the site parameters', async () => {
    site = makeSite('site-b.xml');
    const dir = `${site.dir}/chain`;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir);
    const tag = (
      n: string,
    ) => `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:param name="local_site"/><xsl:param name="source_site"/>
      <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
      <xsl:template match="configuration"><xsl:copy><xsl:apply-templates select="@*|node()"/><step n="${n}" from="{$source_site}" to="{$local_site}"/></xsl:copy></xsl:template></xsl:stylesheet>`;
    writeFileSync(`${dir}/20-second.xsl`, tag('2'));
    writeFileSync(`${dir}/10-first.xsl`, tag('1'));
    writeFileSync(`${dir}/notes.txt`, 'not a stylesheet');
    const files = await resolveChain({ dir });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['10-first.xsl', '20-second.xsl']);
    const out = await runChain(await createEngine('xsltproc'), files, parseXml('<configuration/>'), {
      local_site: 'B',
      source_site: 'A',
    });
    expect(serialize(out)).toBe(
      '<configuration><step n="1" from="A" to="B"/><step n="2" from="A" to="B"/></configuration>',
    );
  });

  it('reports a failing stylesheet with xsltproc’s message', async () => {
    const engine = await createEngine('xsltproc');
    await expect(
      runChain(engine, [`${FIXTURES}/transforms/terminate.xsl`], parseXml('<configuration/>'), {
        local_site: 'B',
        source_site: 'A',
      }),
    ).rejects.toMatchObject({ code: 'CIBSYNC_TRANSFORM_FAILED', message: expect.stringMatching(/no mapping for A/) });
  });
});
