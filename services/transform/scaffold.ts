// `cibsync transform new`: a new transform with one fixture case that already passes. With drop
// patterns, the stylesheet is how cibsync drops by XPath: XSLT 1.0 cannot take a match pattern as a
// parameter, so the pattern is written into the stylesheet, and its fixture tests it like any other.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suppliedConfiguration } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import { escapeAttr, parseXml, toDocument, type XmlElement } from '../xml/index.js';
import { runChain } from './chain.js';
import type { TransformEngine } from './engine.js';
import { EXPECTED_FILE, FIXTURE_SITES, FIXTURES_SUBDIR, goldenText, INPUT_FILE, PARAMS_FILE } from './fixtures.js';

export interface ScaffoldOptions {
  dir: string;
  name: string;
  /** XSLT match patterns of elements to drop. */
  drop: string[];
  /** Seed the fixture from this configuration (see input.ts for what is accepted). */
  input?: XmlElement;
  /** The reference engine writes the fixture's expected output. */
  engine: TransformEngine;
}

export interface Scaffolded {
  stylesheet: string;
  caseDir: string;
}

const SAMPLE_INPUT = `<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="stop"/>
    </cluster_property_set>
  </crm_config>
  <nodes/>
  <resources>
    <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
      <instance_attributes id="vip-instance_attributes">
        <nvpair id="vip-instance_attributes-ip" name="ip" value="192.0.2.10"/>
      </instance_attributes>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="vip-prefers-node1" rsc="vip" node="node1" score="100"/>
  </constraints>
</configuration>`;

export function stylesheetText(name: string, drop: string[]): string {
  const body =
    drop.length > 0
      ? drop
          .map(
            (pattern) =>
              `  <!-- dropped, with everything inside it -->\n  <xsl:template match="${escapeAttr(pattern)}"/>\n`,
          )
          .join('\n')
      : `  <!-- Add template rules here. Fastest in both engines: match by name (match="@value") and\n       test the parent inside. Where a pattern needs predicates, keep them on the last step:\n       nvpair[@name='ip'][../../@type='IPaddr2']/@value, not\n       primitive[@type='IPaddr2']/instance_attributes/nvpair[@name='ip']/@value (libxslt is\n       quadratic on the second form; see docs/transforms.md). -->\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${name}: describe what this transform changes, and its parameters. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

${body}</xsl:stylesheet>
`;
}

export async function scaffoldTransform(options: ScaffoldOptions): Promise<Scaffolded> {
  const { dir, name } = options;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new CibsyncError('CIBSYNC_USAGE', `transform name '${name}': use letters, digits, '.', '_' and '-'`);
  const stylesheet = join(dir, `${name}.xsl`);
  const caseDir = join(dir, FIXTURES_SUBDIR, name, 'basic');
  for (const path of [stylesheet, caseDir])
    if (existsSync(path)) throw new CibsyncError('CIBSYNC_USAGE', `${path} already exists`);

  const input = options.input ? suppliedConfiguration(options.input) : parseXml(SAMPLE_INPUT);
  await mkdir(dir, { recursive: true });
  await writeFile(stylesheet, stylesheetText(name, options.drop));
  let output: XmlElement;
  try {
    output = await runChain(options.engine, [stylesheet], input, { ...FIXTURE_SITES });
  } catch (err) {
    // A drop pattern that does not compile leaves nothing behind.
    await rm(stylesheet, { force: true });
    throw err;
  }
  await mkdir(caseDir, { recursive: true });
  await writeFile(join(caseDir, INPUT_FILE), toDocument(input));
  await writeFile(join(caseDir, EXPECTED_FILE), goldenText(output));
  await writeFile(join(caseDir, PARAMS_FILE), `${JSON.stringify({}, null, 2)}\n`);
  return { stylesheet, caseDir };
}
