// `cibsync transform …` through the built command (npm test builds first).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealPublication, serializePublication } from '../../services/publication/index.js';
import { parseXml } from '../../services/xml/index.js';
import { cli, REPO } from '../helpers/sites.js';

const TRANSFORMS = join(REPO, 'transforms');
const CONFIGURATION = `<configuration><resources>
  <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.10"/></instance_attributes></primitive>
  <primitive id="web" class="ocf" provider="heartbeat" type="apache"><instance_attributes id="web-ia"><nvpair id="web-conf" name="configfile" value="/srv/siteA/httpd.conf"/></instance_attributes></primitive>
</resources><constraints><rsc_location id="web-loc" rsc="web" node="a1" score="10"/></constraints></configuration>`;

function workspace(): { dir: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-transform-cli-'));
  const input = join(dir, 'configuration.xml');
  writeFileSync(input, CONFIGURATION);
  return { dir, input };
}

describe('cibsync transform', () => {
  it('new scaffolds a drop-by-pattern transform whose fixture passes, and test fails with a diff once the golden file is wrong', () => {
    const { dir, input } = workspace();
    const made = cli(['transform', 'new', 'no-apache', dir, '--drop', "primitive[@type='apache']", '--input', input]);
    expect(made.code, made.stderr).toBe(0);
    const expectedPath = join(dir, 'fixtures/no-apache/basic/expected.xml');
    expect(readFileSync(join(dir, 'no-apache.xsl'), 'utf8')).toContain(
      `<xsl:template match="primitive[@type='apache']"/>`,
    );
    expect(readFileSync(expectedPath, 'utf8')).not.toContain('id="web"');

    const ok = cli(['transform', 'test', dir]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^PASS no-apache\/basic \(xsltproc \d+ ms, xslt-processor \d+ ms\)$/m);

    writeFileSync(expectedPath, readFileSync(expectedPath, 'utf8').replace('10.0.0.10', '10.0.0.99'));
    const bad = cli(['transform', 'test', dir]);
    expect(bad.code).toBe(9);
    expect(bad.stdout).toContain('FAIL no-apache/basic');
    expect(bad.stdout).toMatch(/^ {4}-.*value="10.0.0.99"/m);
    expect(bad.stdout).toMatch(/^ {4}\+.*value="10.0.0.10"/m);
    expect(bad.stderr).toContain('CIBSYNC_TRANSFORM_TEST_FAILED');

    const updated = cli(['transform', 'test', dir, '--update', '--yes']);
    expect(updated.code, updated.stdout).toBe(0);
    expect(readFileSync(expectedPath, 'utf8')).toContain('10.0.0.10');
  });

  it('new refuses a pattern that does not compile and leaves nothing behind', () => {
    const { dir } = workspace();
    const r = cli(['transform', 'new', 'broken', dir, '--drop', 'primitive[']);
    expect(r.code).toBe(4);
    expect(existsSync(join(dir, 'broken.xsl'))).toBe(false);
    expect(existsSync(join(dir, 'fixtures/broken'))).toBe(false);
  });

  it('--update without --yes refuses when stdin is not a terminal', () => {
    const { dir } = workspace();
    mkdirSync(join(dir, 'fixtures/identity/x'), { recursive: true });
    const r = cli(['transform', 'test', dir, '--update']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add --yes');
  });

  it("run prints a site's chain result with the parameters", () => {
    const { input } = workspace();
    const r = cli([
      'transform',
      'run',
      '--site',
      'siteB',
      '--transforms',
      TRANSFORMS,
      '--chain',
      'rewrite-ip.xsl,rewrite-paths.xsl,map-nodes.xsl',
      '--param',
      'ip_map=10.0.0.10=10.1.0.10',
      '--param',
      'path_map=/srv/siteA=/srv/siteB',
      '--param',
      'node_map=a1=b1',
      input,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('value="10.1.0.10"');
    expect(r.stdout).toContain('value="/srv/siteB/httpd.conf"');
    expect(r.stdout).toContain('node="b1"');
    expect(r.stderr).toContain('3 stylesheet(s), engine xsltproc');
  });

  it('run takes source_site from a publication, and --source-site from the command line otherwise', () => {
    const { dir, input } = workspace();
    writeFileSync(
      join(dir, 'sites.xsl'),
      `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="local_site"/><xsl:param name="source_site"/>
  <xsl:template match="/configuration"><configuration from="{$source_site}" to="{$local_site}"/></xsl:template>
</xsl:stylesheet>`,
    );
    const publication = join(dir, 'pub.xml');
    writeFileSync(
      publication,
      serializePublication(
        sealPublication({
          site: 'siteA',
          ticket: 'ticketA',
          adminEpoch: 1,
          epoch: 2,
          created: '2026-11-22T00:00:00Z',
          configuration: parseXml(CONFIGURATION),
          nodeAttributes: {},
          sourceVerdict: { level: 'clean', messages: [] },
        }),
      ),
    );
    const fromPublication = cli([
      'transform',
      'run',
      '--site',
      'siteB',
      '--transforms',
      dir,
      '--chain',
      'sites.xsl',
      publication,
    ]);
    expect(fromPublication.stdout, fromPublication.stderr).toContain('<configuration from="siteA" to="siteB"/>');
    const fromFlag = cli([
      'transform',
      'run',
      '--site',
      'siteC',
      '--transforms',
      dir,
      '--chain',
      'sites.xsl',
      '--source-site',
      'siteX',
      input,
    ]);
    expect(fromFlag.stdout, fromFlag.stderr).toContain('<configuration from="siteX" to="siteC"/>');
  });

  it('lint reports what the chain missed and exits 9, and 0 once the chain covers it', () => {
    const { input } = workspace();
    const base = [
      'transform',
      'lint',
      '--site',
      'siteB',
      '--transforms',
      TRANSFORMS,
      '--chain',
      'rewrite-ip.xsl',
      '--source-networks',
      '10.0.0.0/24',
      '--source-paths',
      '/srv/siteA',
    ];
    const missed = cli([...base, '--param', 'ip_map=10.0.0.10=10.1.0.10', input]);
    expect(missed.code).toBe(9);
    expect(missed.stdout).toContain(
      "nvpair[@id='web-conf']/@value: path /srv/siteA/httpd.conf is under source prefix /srv/siteA",
    );
    expect(missed.stdout).not.toContain('10.0.0.10');
    const clean = cli([...base.slice(0, -2), '--param', 'ip_map=10.0.0.10=10.1.0.10', input]);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('0 finding(s) in 0 of 1 file(s)');
  });
});
