// Puts one scope into a local configuration: the local parts of that scope are replaced by the
// fragment's, every other scope and every site-local part stays as it is, in place. This is what a
// subscriber of a scope does (a later step wires it in); merging a configuration's own scope back
// into it changes nothing.
//
// A fencing device inside a group travels inside its group here: the unit of a scope is the whole
// top-level element. The import's splice step (pipeline/splice.ts) then keeps each site's own device.
import type { SiteLocalConfig } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { childElements, clone, element, firstChild, type XmlElement, type XmlNode } from '../xml/index.js';
import { ownedProperty } from './extract.js';
import { idsBelow } from './site-local.js';
import { classify, GLOBAL, ITEM_SECTIONS, ownerKey, ownerName, type ScopeRef, SITE_LOCAL_SECTIONS } from './split.js';

/**
 * The local children with the ones that are ours replaced by `incoming`: an incoming element takes the
 * place of the local one with its id, new ones come after the incoming element before them (at the
 * end when there is none), and ours that the fragment no longer has go.
 */
function replaceInPlace(local: XmlNode[], isOurs: (el: XmlElement) => boolean, incoming: XmlElement[]): XmlNode[] {
  const at = new Map(incoming.map((el, i) => [el.attrs.id, i]));
  const out: XmlNode[] = [];
  let next = 0;
  for (const node of local) {
    if (node.kind !== 'element' || !isOurs(node)) {
      out.push(clone(node));
      continue;
    }
    const i = node.attrs.id === undefined ? undefined : at.get(node.attrs.id);
    if (i !== undefined && i >= next) {
      out.push(...incoming.slice(next, i + 1).map((el) => clone(el)));
      next = i + 1;
    }
  }
  out.push(...incoming.slice(next).map((el) => clone(el)));
  return out;
}

/** crm_config: the fragment's properties replace the global ones set by set; the cluster-owned ones stay. */
function mergeProperties(
  local: XmlElement,
  from: XmlElement | undefined,
  owned: (el: XmlElement) => boolean,
): XmlElement {
  const incomingSets = from ? childElements(from) : [];
  const placed = new Set<XmlElement>();
  const out = element(local.name, local.attrs);
  for (const node of local.children) {
    if (node.kind !== 'element') {
      out.children.push(clone(node));
      continue;
    }
    const inc = incomingSets.find((s) => s.name === node.name && s.attrs.id === node.attrs.id);
    if (inc) placed.add(inc);
    const merged = element(
      node.name,
      (inc ?? node).attrs,
      replaceInPlace(node.children, (p) => !owned(p), inc ? childElements(inc).filter((p) => !owned(p)) : []),
    );
    // A set that held only global properties goes with them.
    if (inc || childElements(merged).length > 0) out.children.push(merged);
  }
  for (const inc of incomingSets)
    if (!placed.has(inc))
      out.children.push(
        element(
          inc.name,
          inc.attrs,
          childElements(inc)
            .filter((p) => !owned(p))
            .map((p) => clone(p)),
        ),
      );
  return out;
}

function duplicateIds(configuration: XmlElement): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of idsBelow(configuration)) (seen.has(id) ? twice : seen).add(id);
  return twice;
}

/**
 * `local` with `scope` replaced by the fragment's (see extractScope). Of the fragment only that
 * scope's parts are read: for a ticket, its resources, templates, constraints and tags; for the global
 * scope also crm_config (all but the cluster-owned properties), rsc_defaults, op_defaults, alerts,
 * acls. Refuses (CIBSYNC_SCOPE_ID_CONFLICT) when a fragment's id is already used by a part it keeps.
 */
export function mergeScope(
  local: XmlElement,
  fragment: XmlElement,
  scope: ScopeRef,
  rules: SiteLocalConfig,
): XmlElement {
  return mergeScopes(local, fragment, [scope], rules);
}

/** Several scopes at once, from one fragment that holds them all (a ticket's publication that carries the global scope too). */
export function mergeScopes(
  local: XmlElement,
  fragment: XmlElement,
  scopes: ScopeRef[],
  rules: SiteLocalConfig,
): XmlElement {
  const wants = new Set(scopes.map(ownerKey));
  const { owner } = classify(local, rules);
  const isOurs = (el: XmlElement) => wants.has(owner.get(el) as string);
  const owned = ownedProperty(rules);
  const takes = (name: string) => ITEM_SECTIONS.includes(name) || (wants.has(GLOBAL) && !SITE_LOCAL_SECTIONS.has(name));
  const placed = new Set<string>();
  const out = element(local.name, local.attrs);
  for (const node of local.children) {
    if (node.kind !== 'element' || !takes(node.name)) {
      out.children.push(clone(node));
      continue;
    }
    placed.add(node.name);
    const from = firstChild(fragment, node.name);
    if (ITEM_SECTIONS.includes(node.name)) {
      const merged = element(
        node.name,
        node.attrs,
        replaceInPlace(node.children, isOurs, from ? childElements(from) : []),
      );
      // The schema wants a tag in <tags>: a section that lost its last one goes (an empty one the site had stays).
      if (childElements(merged).length > 0 || childElements(node).length === 0 || node.name !== 'tags')
        out.children.push(merged);
    } else if (node.name === 'crm_config') {
      out.children.push(mergeProperties(node, from, owned));
    } else if (from) {
      out.children.push(clone(from));
    }
  }
  for (const section of childElements(fragment)) {
    if (placed.has(section.name) || !takes(section.name)) continue;
    placed.add(section.name);
    out.children.push(
      section.name === 'crm_config' ? mergeProperties(element('crm_config'), section, owned) : clone(section),
    );
  }
  const before = duplicateIds(local);
  const conflicts = [...duplicateIds(out)].filter((id) => !before.has(id));
  if (conflicts.length > 0) {
    const names = [...wants].map(ownerName).join(' and ');
    throw new CibsyncError(
      'CIBSYNC_SCOPE_ID_CONFLICT',
      `the ${names} scope uses ids that this configuration already uses outside that scope: ${conflicts.slice(0, 10).join(', ')}`,
      { scope: names, ids: conflicts },
    );
  }
  return out;
}
