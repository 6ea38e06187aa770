// Shared by the scope tests: fixtures as parsed configurations, and each part of a split as canonical text.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../services/config/index.js';
import { extractScope, siteLocalPart, splitScopes } from '../../services/scopes/index.js';
import {
  canonical,
  childElements,
  clone,
  firstChild,
  parseXml,
  type XmlElement,
  type XmlNode,
} from '../../services/xml/index.js';
import { FIXTURES, makeSite, type Site } from '../helpers/sites.js';

export const rules = defaultConfig().siteLocal;

export function fixturePath(name: string): string {
  return join(FIXTURES, 'scopes', name);
}

export function configurationOfFile(path: string): XmlElement {
  return firstChild(parseXml(readFileSync(path, 'utf8'), { source: path }), 'configuration') as XmlElement;
}

export const fixture = (name: string) => configurationOfFile(fixturePath(name));

/** Every part of a configuration (each ticket's scope, global, site-local), canonical, by name. */
export function parts(configuration: XmlElement): Record<string, string> {
  const out: Record<string, string> = {
    global: canonical(extractScope(configuration, rules, 'global')),
    'site-local': canonical(siteLocalPart(configuration, rules)),
  };
  for (const ticket of Object.keys(splitScopes(configuration, rules).tickets))
    out[`ticket ${ticket}`] = canonical(extractScope(configuration, rules, { ticket }));
  return out;
}

/**
 * A configuration with its sections, their top-level items and the cluster properties in a fixed
 * order (by name, then id): what a rebuild from parts is compared in. Where a scope new to a
 * configuration lands among the others is not something a part carries; within a part, and whenever a
 * scope is replaced, the order is kept (the no-op tests compare exactly).
 */
export function itemsInOrder(configuration: XmlElement): string {
  const c = clone(configuration);
  const byKey = (x: XmlNode, y: XmlNode) => key(x).localeCompare(key(y));
  const key = (n: XmlNode) => (n.kind === 'element' ? `${n.name}\u0001${n.attrs.id ?? ''}` : '');
  const sortChildren = (el: XmlElement) => (el.children = el.children.filter((n) => n.kind === 'element').sort(byKey));
  sortChildren(c);
  for (const section of childElements(c)) {
    if (['resources', 'constraints', 'tags'].includes(section.name)) sortChildren(section);
    if (section.name === 'crm_config') for (const set of childElements(section)) sortChildren(set);
  }
  return canonical(c);
}

/** A file-backed site from a scope fixture, its crm_feature_set lowered to what this Pacemaker writes (crm_ticket refuses to change a newer CIB). */
export function scopeSite(name: string): Site {
  const site = makeSite(fixturePath(name));
  writeFileSync(site.cibFile, site.read().replace(/crm_feature_set="[^"]*"/, 'crm_feature_set="3.16.1"'));
  return site;
}

/** A site's configuration as its CIB file holds it now. */
export function configurationOfSite(site: Site): XmlElement {
  return firstChild(parseXml(site.read(), { source: site.cibFile }), 'configuration') as XmlElement;
}
