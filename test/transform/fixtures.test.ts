// The fixture runner itself: it must catch a wrong golden file, a wrong error, and an engine
// disagreement, and show a readable diff.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, ENGINE_NAMES } from '../../services/transform/engine.js';
import { findFixtures, passed, runFixture, writeExpected } from '../../services/transform/fixtures.js';
import { unifiedDiff } from '../../services/transform/line-diff.js';

const engines = await Promise.all(ENGINE_NAMES.map((name) => createEngine(name)));

const RENAME = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="to" select="'b'"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="primitive/@id"><xsl:attribute name="id"><xsl:value-of select="$to"/></xsl:attribute></xsl:template>
  <xsl:template match="primitive[@id='fail']"><xsl:message terminate="yes">refusing fail</xsl:message></xsl:template>
</xsl:stylesheet>`;

// xslt-processor does not unescape {{ in attribute value templates (docs/transforms.md), so the
// engines disagree on this stylesheet.
const BRACES = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="primitive"><primitive id="{@id}" description="{{literal}}"/></xsl:template>
</xsl:stylesheet>`;

const INPUT =
  '<configuration><resources><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/></resources></configuration>';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-fixtures-'));
  writeFileSync(join(dir, 'rename.xsl'), RENAME);
  writeFileSync(join(dir, 'braces.xsl'), BRACES);
  return dir;
}

function addCase(dir: string, transform: string, name: string, files: Record<string, string>): void {
  const caseDir = join(dir, 'fixtures', transform, name);
  mkdirSync(caseDir, { recursive: true });
  for (const [file, text] of Object.entries({ 'input.xml': INPUT, ...files })) writeFileSync(join(caseDir, file), text);
}

describe('fixture runner', () => {
  it('passes a correct golden file and fails a wrong one with a diff', async () => {
    const dir = workspace();
    addCase(dir, 'rename', 'right', {
      'params.json': '{"to": "c"}',
      'expected.xml': INPUT.replace('id="a"', 'id="c"'),
    });
    addCase(dir, 'rename', 'wrong', {
      'params.json': '{"to": "c"}',
      'expected.xml': INPUT.replace('id="a"', 'id="x"'),
    });
    const [right, wrong] = await Promise.all((await findFixtures(dir)).map((f) => runFixture(f, engines)));
    expect(right && passed(right)).toBe(true);
    expect(right?.enginesDisagree).toBe(false);
    expect(wrong && passed(wrong)).toBe(false);
    expect(wrong?.problems).toEqual([
      'xsltproc: output differs from expected.xml',
      'xslt-processor: output differs from expected.xml',
    ]);
    expect(wrong?.diffs[0]).toContain('-    <primitive class="ocf" id="x" provider="heartbeat" type="Dummy"/>');
    expect(wrong?.diffs[0]).toContain('+    <primitive class="ocf" id="c" provider="heartbeat" type="Dummy"/>');
  });

  it('checks expected errors by message', async () => {
    const dir = workspace();
    const failing = INPUT.replace('id="a"', 'id="fail"');
    addCase(dir, 'rename', 'good-error', { 'input.xml': failing, 'expected-error.txt': 'refusing fail\n' });
    addCase(dir, 'rename', 'other-error', { 'input.xml': failing, 'expected-error.txt': 'something else' });
    addCase(dir, 'rename', 'no-error', { 'expected-error.txt': 'refusing fail' });
    const results = await Promise.all((await findFixtures(dir)).map((f) => runFixture(f, engines)));
    expect(results.map((r) => [r.fixture.name, passed(r)])).toEqual([
      ['good-error', true],
      ['no-error', false],
      ['other-error', false],
    ]);
    expect(results[1]?.problems[0]).toMatch(/^xsltproc: succeeded, but expected-error.txt expects/);
  });

  it('reports engines that disagree, whatever the golden file says', async () => {
    const dir = workspace();
    addCase(dir, 'braces', 'avt', {});
    const [fixture] = await findFixtures(dir);
    const result = await runFixture(fixture!, engines);
    expect(result.problems).toContain('xsltproc and xslt-processor disagree: different output');
    expect(result.enginesDisagree).toBe(true);
    expect(result.diffs.at(-1)).toContain('description="{literal}"');
    expect(result.missingExpected).toBe(true);
  });

  it('writes the golden file from the reference engine on update', async () => {
    const dir = workspace();
    addCase(dir, 'rename', 'new', { 'params.json': '{"to": "z"}' });
    const [fixture] = await findFixtures(dir);
    const first = await runFixture(fixture!, engines);
    expect(first.problems).toEqual(['no expected.xml or expected-error.txt yet (run with --update to write it)']);
    const written = await writeExpected(first, first.runs[0]!.output!);
    expect(readFileSync(written, 'utf8')).toContain('<primitive id="z"');
    expect(passed(await runFixture(fixture!, engines))).toBe(true);
  });

  it('resolves *_file parameters against the case directory', async () => {
    const dir = workspace();
    addCase(dir, 'rename', 'file', { 'params.json': '{"to_file": "map.xml", "to": "q"}' });
    const [fixture] = await findFixtures(dir);
    expect(fixture?.params).toMatchObject({
      to_file: join(dir, 'fixtures/rename/file/map.xml'),
      to: 'q',
      local_site: 'siteB',
      source_site: 'siteA',
    });
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts and shows hunks with context', () => {
    expect(unifiedDiff('a\nb', 'a\nb', { expected: 'x', actual: 'y' })).toBe('');
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[2] = 'changed 2';
    changed[17] = 'changed 17';
    const diff = unifiedDiff(lines.join('\n'), changed.join('\n'), { expected: 'expected.xml', actual: 'out' });
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,6 +1,6 @@', '@@ -15,6 +15,6 @@']);
    expect(diff).toContain('-line 2\n+changed 2');
    expect(diff).not.toContain('line 9');
  });
});
