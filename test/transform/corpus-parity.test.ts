// Engine parity on real configurations: the shipped transforms over Pacemaker's regression corpus
// (read from ../shared, never copied), in both engines. All but the five largest files (over 70 KB):
// xslt-processor alone takes half a minute on the largest (docs/benchmarks.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suppliedConfiguration } from '../../services/cib/index.js';
import { type ChainParams, runChain } from '../../services/transform/chain.js';
import { createEngine } from '../../services/transform/engine.js';
import { lintConfiguration } from '../../services/transform/lint.js';
import { canonical, childElements, firstChild, parseXml, type XmlElement } from '../../services/xml/index.js';

const TRANSFORMS = fileURLToPath(new URL('../../transforms', import.meta.url));
const CIBS = fileURLToPath(new URL('../../../shared/corpus/pacemaker-cts/cibs', import.meta.url));
const MAX_BYTES = 70_000;

const available = existsSync(CIBS);
if (!available)
  console.warn(`corpus parity test skipped: ${CIBS} is absent (it lives in ../shared beside the repository)`);
const files = available
  ? readdirSync(CIBS)
      .filter((f) => f.endsWith('.xml') && statSync(join(CIBS, f)).size <= MAX_BYTES)
      .sort()
  : [];

/** Maps that touch everything these transforms can touch in `configuration`. */
function paramsFor(configuration: XmlElement): ChainParams {
  const addresses = [
    ...new Set(
      lintConfiguration(configuration, { networks: ['0.0.0.0/0', '::/0'], pathPrefixes: [] }).map((f) => f.literal),
    ),
  ];
  const nodes = childElements(firstChild(configuration, 'nodes') ?? configuration, 'node').map(
    (n) => n.attrs.uname ?? '',
  );
  return {
    local_site: 'siteB',
    source_site: 'siteA',
    ip_map: addresses.map((a, i) => `${a}=${a.includes(':') ? `2001:db8::${i + 1}` : `192.0.2.${i + 1}`}`).join(','),
    node_map: nodes
      .filter(Boolean)
      .map((n) => `${n}=b-${n}`)
      .join(','),
    path_map: '/var=/srv/var,/usr/lib/ocf=/opt/ocf',
  };
}

describe.skipIf(!available)('engine parity on the Pacemaker corpus', () => {
  const engines = Promise.all([createEngine('xsltproc'), createEngine('xslt-processor')]);
  const chain = ['rewrite-ip.xsl', 'rewrite-paths.xsl', 'map-nodes.xsl'].map((f) => join(TRANSFORMS, f));

  it('has corpus files to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s: the shipped chain gives the same configuration in both engines', async (file) => {
    const configuration = suppliedConfiguration(parseXml(readFileSync(join(CIBS, file), 'utf8'), { source: file }));
    const params = paramsFor(configuration);
    const [xsltproc, xsltProcessor] = await engines;
    const reference = await runChain(xsltproc!, chain, configuration, params);
    const other = await runChain(xsltProcessor!, chain, configuration, params);
    expect(canonical(other)).toBe(canonical(reference));
    if (params.ip_map) expect(canonical(reference)).not.toBe(canonical(configuration));
  });
});
