// Lint: unit behaviour, then the corpus demonstration: Pacemaker's own CIBs (read from ../shared,
// never copied) linted against source networks, before and after the shipped rewrite-ip.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suppliedConfiguration } from '../../services/cib/index.js';
import { runChain } from '../../services/transform/chain.js';
import { createEngine } from '../../services/transform/engine.js';
import { compileNetworks, type Finding, formatFinding, lintConfiguration } from '../../services/transform/lint.js';
import { descendants, parseXml, type XmlElement } from '../../services/xml/index.js';

const REWRITE_IP = fileURLToPath(new URL('../../transforms/rewrite-ip.xsl', import.meta.url));
const CIBS = fileURLToPath(new URL('../../../shared/corpus/pacemaker-cts/cibs', import.meta.url));

function nvpairs(values: Record<string, string>): XmlElement {
  const pairs = Object.entries(values).map(
    ([name, value]) => `<nvpair id="p-${name}" name="${name}" value="${value}"/>`,
  );
  return parseXml(
    `<configuration><resources><primitive id="vip-10.0.0.1" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="ia">${pairs.join('')}</instance_attributes></primitive></resources></configuration>`,
  );
}

describe('lintConfiguration', () => {
  const rules = { networks: ['10.0.0.0/24', '2001:db8::/48'], pathPrefixes: ['/srv/siteA'] };

  it('finds addresses inside the source networks, compared as addresses', () => {
    const findings = lintConfiguration(
      nvpairs({ ip: '10.0.0.7', v6: '2001:DB8:0:0::5', url: 'http://[2001:db8::9]:80/ x 10.0.0.200:8080' }),
      rules,
    );
    expect(findings.map((f) => [f.literal, f.rule])).toEqual([
      ['10.0.0.7', '10.0.0.0/24'],
      ['2001:DB8:0:0::5', '2001:db8::/48'],
      ['10.0.0.200', '10.0.0.0/24'],
      ['2001:db8::9', '2001:db8::/48'],
    ]);
    expect(findings[0]?.location).toBe(
      "/configuration/resources/primitive[@id='vip-10.0.0.1']/instance_attributes[@id='ia']/nvpair[@id='p-ip']/@value",
    );
  });

  it('ignores addresses outside the networks, non-addresses and ids', () => {
    const findings = lintConfiguration(
      nvpairs({ a: '10.0.1.7', b: '110.0.0.7', c: '10.0.0.7.5', d: '10.0.0.999', e: '2001:db9::1', f: '12:30:00' }),
      rules,
    );
    expect(findings).toEqual([]);
  });

  it('finds paths under the source prefixes by whole components', () => {
    const findings = lintConfiguration(
      nvpairs({
        a: '/srv/siteA',
        b: '-c /srv/siteA/x.conf',
        c: '/srv/siteAB/x',
        d: '/opt/srv/siteA',
        e: 'key=/srv/siteA/y',
      }),
      rules,
    );
    expect(findings.map((f) => f.literal)).toEqual(['/srv/siteA', '/srv/siteA/x.conf', '/srv/siteA/y']);
    expect(formatFinding(findings[1] as Finding)).toMatch(
      /path \/srv\/siteA\/x.conf is under source prefix \/srv\/siteA \(value "-c \/srv\/siteA\/x.conf"\)$/,
    );
  });

  it('refuses a malformed network', () => {
    expect(() => compileNetworks(['10.0.0.0/33'])).toThrow(/source network '10.0.0.0\/33'/);
    expect(() => compileNetworks(['example.com/24'])).toThrow(/expected ADDRESS\/PREFIX/);
  });
});

const available = existsSync(CIBS);
if (!available)
  console.warn(`corpus lint test skipped: ${CIBS} is absent (it lives in ../shared beside the repository)`);

describe.skipIf(!available)('lint over the Pacemaker corpus', () => {
  // Private and documentation ranges that the corpus uses for its cluster addresses.
  const rules = { networks: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'], pathPrefixes: [] };
  const corpus = available
    ? readdirSync(CIBS)
        .filter((f) => f.endsWith('.xml'))
        .sort()
    : [];
  const configurations = new Map(
    corpus.map((f) => [f, suppliedConfiguration(parseXml(readFileSync(join(CIBS, f), 'utf8'), { source: f }))]),
  );
  const before = new Map([...configurations].map(([f, c]) => [f, lintConfiguration(c, rules)]));

  /** Every address found, mapped to its own address in 198.18.0.0/15 or 2001:db8:ffff::/48 (outside the rules). */
  function mapOf(literals: Iterable<string>): string {
    return [...new Set(literals)]
      .map(
        (literal, i) =>
          `${literal}=${literal.includes(':') ? `2001:db8:ffff::${(i + 1).toString(16)}` : `198.18.${i >> 8}.${i & 255}`}`,
      )
      .join(',');
  }

  async function rewrite(configuration: XmlElement, ipMap: string): Promise<XmlElement> {
    return runChain(await createEngine('xsltproc'), [REWRITE_IP], configuration, {
      local_site: 'siteB',
      source_site: 'siteA',
      ip_map: ipMap,
    });
  }

  it('finds the source addresses in the corpus as shipped', () => {
    const files = [...before].filter(([, findings]) => findings.length > 0).map(([f]) => f);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const literals = new Set([...before.values()].flat().map((f) => f.literal));
    expect(literals).toContain('fd15:a2c:8660:c828:172:16:10:241');
    expect(literals).toContain('192.168.100.182'); // promoted-5.xml: an old IPaddr with the address as parameter "1"
  });

  it('finds exactly the addresses a partial map left: the ones outside IPaddr/IPaddr2 "ip"', async () => {
    let leftovers = 0;
    for (const [file, configuration] of configurations) {
      const found = before.get(file) ?? [];
      if (found.length === 0) continue;
      // The map a hurried user writes: the addresses of IPaddr/IPaddr2 "ip" (or old "1") only.
      const vips = new Set(
        [...descendants(configuration)]
          .filter((e) => e.name === 'nvpair' && (e.attrs.name === 'ip' || e.attrs.name === '1'))
          .map((e) => e.attrs.value ?? ''),
      );
      const mapped = found.filter((f) => vips.has(f.literal));
      const after = lintConfiguration(await rewrite(configuration, mapOf(mapped.map((f) => f.literal))), rules);
      const key = (f: Finding) => `${f.location} ${f.literal}`;
      expect(after.map(key), file).toEqual(found.filter((f) => !vips.has(f.literal)).map(key));
      leftovers += after.length;
    }
    expect(leftovers).toBeGreaterThan(0);
  });

  it('finds nothing once rewrite-ip maps every address lint found', async () => {
    for (const [file, configuration] of configurations) {
      const found = before.get(file) ?? [];
      if (found.length === 0) continue;
      const after = lintConfiguration(await rewrite(configuration, mapOf(found.map((f) => f.literal))), rules);
      expect(after.map(formatFinding), file).toEqual([]);
    }
  });
});
