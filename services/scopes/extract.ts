// One scope of a configuration as a `<configuration>` fragment: what a publisher of that scope will
// serve. The fragment holds only the scope's own parts, in the source's order.
import type { SiteLocalConfig } from '../config/index.js';
import { clone, element, type XmlElement, type XmlNode } from '../xml/index.js';
import { classify, GLOBAL, ITEM_SECTIONS, ownerKey, type ScopeRef, SITE_LOCAL, SITE_LOCAL_SECTIONS } from './split.js';

/** Whether a crm_config child is a cluster-owned property (site-local), by the site-local rules. */
export function ownedProperty(rules: SiteLocalConfig): (el: XmlElement) => boolean {
  const owned = new Set(rules.crmConfigProperties);
  return (el) => el.name === 'nvpair' && owned.has(el.attrs.name ?? '');
}

function extract(configuration: XmlElement, rules: SiteLocalConfig, wants: Set<string>): XmlElement {
  const { owner } = classify(configuration, rules);
  const owned = ownedProperty(rules);
  const local = wants.has(SITE_LOCAL);
  const global = wants.has(GLOBAL);
  const out = element(configuration.name, configuration.attrs);
  const keepNode = (n: XmlNode) => n.kind !== 'element' && local;
  for (const child of configuration.children) {
    if (child.kind !== 'element') {
      if (keepNode(child)) out.children.push(clone(child));
      continue;
    }
    if (ITEM_SECTIONS.includes(child.name)) {
      // This site keeps the sections themselves (and their comments); a scope has one only when it has items in it.
      const children = child.children.filter(
        (n) => keepNode(n) || (n.kind === 'element' && wants.has(owner.get(n) as string)),
      );
      if (local || children.length > 0)
        out.children.push(
          element(
            child.name,
            child.attrs,
            children.map((n) => clone(n)),
          ),
        );
    } else if (SITE_LOCAL_SECTIONS.has(child.name)) {
      if (local) out.children.push(clone(child));
    } else if (child.name === 'crm_config') {
      // Every property set is in both parts: the cluster-owned properties are this site's, the others global.
      if (global || local) {
        const sets = child.children.map((set) =>
          set.kind === 'element'
            ? element(
                set.name,
                set.attrs,
                set.children.filter((p) => (p.kind === 'element' ? owned(p) === local : local)).map((p) => clone(p)),
              )
            : clone(set),
        );
        out.children.push(
          element(
            child.name,
            child.attrs,
            sets.filter((n) => n.kind === 'element' || local),
          ),
        );
      }
    } else if (global) {
      out.children.push(clone(child));
    }
  }
  return out;
}

/** One scope of a configuration as a `<configuration>` fragment (no site-local part in it). */
export function extractScope(configuration: XmlElement, rules: SiteLocalConfig, scope: ScopeRef): XmlElement {
  return extract(configuration, rules, new Set([ownerKey(scope)]));
}

/** Several scopes as one fragment (a ticket's publication that carries the global scope too). */
export function extractScopes(configuration: XmlElement, rules: SiteLocalConfig, scopes: ScopeRef[]): XmlElement {
  return extract(configuration, rules, new Set(scopes.map(ownerKey)));
}

/** The site-local parts alone (nodes, fencing, cluster-owned properties, …): what no scope carries. */
export function siteLocalPart(configuration: XmlElement, rules: SiteLocalConfig): XmlElement {
  return extract(configuration, rules, new Set([SITE_LOCAL]));
}
