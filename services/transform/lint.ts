// Lint of a transform chain's output: IP literals inside the source site's networks and absolute
// paths under its path prefixes are what the site's transforms missed. Addresses are compared as
// addresses (2001:DB8:0::1 is 2001:db8::1), not as text the way the XSLT maps match them.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { CibsyncError } from '../errors.js';
import type { XmlElement } from '../xml/index.js';

export interface LintRules {
  /** CIDR networks of the source site, e.g. 10.0.0.0/24, 2001:db8::/48. */
  networks: string[];
  /** Absolute path prefixes of the source site, e.g. /srv/siteA. */
  pathPrefixes: string[];
}

export interface Finding {
  kind: 'ip' | 'path';
  /** Where: an XPath naming each step by id, ending in the attribute. */
  location: string;
  literal: string;
  /** The network or prefix the literal falls under. */
  rule: string;
  value: string;
}

interface Network {
  cidr: string;
  list: BlockList;
  family: 'ipv4' | 'ipv6';
}

// Candidates only; each is confirmed with isIPv4/isIPv6. The look-arounds keep 10.0.0.1 from being
// found inside 10.0.0.12 or 110.0.0.1 (the same token rule as transforms/lib/map.xsl).
const IPV4 = /(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])/g;
const IPV6 = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])/g;
const PATH = /(?<![^\s=,;:"'(])\/[^\s,;:"'()]*/g;

/** Attributes that never hold a site's value: ids and references (an id like "vip-10.0.0.1" is a
 *  name, not an address), and a bundle's container-side paths (target-dir, run-command). */
const NOT_SITE_VALUES = new Set([
  'id',
  'id-ref',
  'rsc',
  'with-rsc',
  'first',
  'then',
  'rsc-pattern',
  'target-dir',
  'run-command',
]);

export function compileNetworks(cidrs: string[]): Network[] {
  return cidrs.map((cidr) => {
    const [address, bits, ...rest] = cidr.split('/');
    const family = address && isIPv4(address) ? 'ipv4' : address && isIPv6(address) ? 'ipv6' : undefined;
    const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
    if (
      !family ||
      rest.length > 0 ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > (family === 'ipv4' ? 32 : 128)
    ) {
      throw new CibsyncError(
        'CIBSYNC_CONFIG_INVALID',
        `source network '${cidr}': expected ADDRESS/PREFIX, e.g. 10.0.0.0/24 or 2001:db8::/48`,
      );
    }
    const list = new BlockList();
    list.addSubnet(address as string, prefix, family);
    return { cidr, list, family };
  });
}

function normalisePrefixes(prefixes: string[]): string[] {
  return prefixes.map((p) => {
    if (!p.startsWith('/'))
      throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `source path prefix '${p}' is not absolute`);
    return p.length > 1 ? p.replace(/\/+$/, '') : p;
  });
}

export function lintConfiguration(root: XmlElement, rules: LintRules): Finding[] {
  const networks = compileNetworks(rules.networks);
  const prefixes = normalisePrefixes(rules.pathPrefixes);
  const findings: Finding[] = [];
  const visit = (el: XmlElement, path: string): void => {
    const here = `${path}/${el.name}${el.attrs.id !== undefined ? `[@id='${el.attrs.id}']` : ''}`;
    for (const [name, value] of Object.entries(el.attrs)) {
      if (!NOT_SITE_VALUES.has(name)) findings.push(...scanValue(value, `${here}/@${name}`, networks, prefixes));
    }
    for (const child of el.children) {
      if (child.kind === 'element') visit(child, here);
      else if (child.kind === 'text' || child.kind === 'cdata')
        findings.push(...scanValue(child.text, `${here}/text()`, networks, prefixes));
    }
  };
  visit(root, '');
  return findings;
}

function scanValue(value: string, location: string, networks: Network[], prefixes: string[]): Finding[] {
  const findings: Finding[] = [];
  const address = (literal: string, family: 'ipv4' | 'ipv6'): void => {
    const network = networks.find((n) => n.family === family && n.list.check(literal, family));
    if (network) findings.push({ kind: 'ip', location, literal, rule: network.cidr, value });
  };
  if (networks.length > 0) {
    for (const [literal] of value.matchAll(IPV4)) if (isIPv4(literal)) address(literal, 'ipv4');
    for (const [literal] of value.matchAll(IPV6)) if (isIPv6(literal)) address(literal, 'ipv6');
  }
  for (const [literal] of prefixes.length > 0 ? value.matchAll(PATH) : []) {
    const prefix = prefixes.find((p) => p === '/' || literal === p || literal.startsWith(`${p}/`));
    if (prefix) findings.push({ kind: 'path', location, literal, rule: prefix, value });
  }
  return findings;
}

export function formatFinding(f: Finding): string {
  const what =
    f.kind === 'ip'
      ? `address ${f.literal} is in source network ${f.rule}`
      : `path ${f.literal} is under source prefix ${f.rule}`;
  return `${f.location}: ${what}${f.value === f.literal ? '' : ` (value "${f.value}")`}`;
}
