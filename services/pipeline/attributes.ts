// Step 8: per-server node attributes. The publication's attributes of each mapped remote server go
// onto its local counterpart; only changed values are written; attributes cibsync set earlier and
// that left the publication are deleted, unless someone changed them since. Attributes cibsync never
// set are never deleted. They are written into the candidate's <nodes> (permanent node attributes
// live in the configuration), so they reach the CIB in the same patch as the rest.
//
// Node and attribute names come from publications and the CIB: every lookup goes through a Map, never
// a plain object, so a node called `constructor` or `__proto__` is a node like any other.
import { type AttributeMap, attributesByNode, nodesByName } from '../cib/index.js';
import type { Logger } from '../log.js';
import type { NodeAttributes } from '../publication/index.js';
import { type AttributeKind, writeOwnedAttributes } from '../state/ownership.js';
import { childElements, descendants, element, firstChild, type XmlElement } from '../xml/index.js';
import type { AttributeChange } from './types.js';

export interface AttributePlan {
  changes: AttributeChange[];
  /** What cibsync will own after the changes: local node → name → value. */
  owned: NodeAttributes;
  /** Remote servers with attributes but no local counterpart in the node map (or no such local node). */
  unmapped: string[];
}

function toMap(attributes: NodeAttributes): AttributeMap {
  return new Map(Object.entries(attributes).map(([node, values]) => [node, new Map(Object.entries(values))]));
}

/** Back to the JSON shape, as own properties only (`__proto__` included). */
export function toRecord(attributes: AttributeMap): NodeAttributes {
  return Object.fromEntries(
    [...attributes].filter(([, values]) => values.size > 0).map(([node, values]) => [node, Object.fromEntries(values)]),
  );
}

export function planAttributes(
  localConfiguration: XmlElement,
  published: NodeAttributes,
  nodeMap: Record<string, string>,
  exclude: string[],
  previouslyOwnedIn: NodeAttributes,
): AttributePlan {
  const current = attributesByNode(nodesByName(localConfiguration));
  const skip = new Set(exclude);
  const { desired, unmapped } = mapAttributes(published, current, nodeMap, {}, (name) => !skip.has(name));
  return { ...planAttributeChanges(current, desired, previouslyOwnedIn), unmapped };
}

/**
 * The attributes each local server should have: every remote server's onto its nodeMap counterpart,
 * and onto each server `prefixed` names for it as `<remote>:<name>` (an N+1 standby holding every
 * active server's). Only names `keep` accepts; only local servers `current` has (a key per node).
 */
export function mapAttributes(
  published: NodeAttributes,
  current: AttributeMap,
  nodeMap: Record<string, string>,
  prefixed: Record<string, string[]>,
  keep: (name: string) => boolean,
): { desired: AttributeMap; unmapped: string[] } {
  const map = new Map(Object.entries(nodeMap));
  const prefixedMap = new Map(Object.entries(prefixed));
  const desired: AttributeMap = new Map();
  const unmapped: string[] = [];
  for (const [remote, values] of toMap(published)) {
    const targets = [
      ...[map.get(remote)].filter((local) => local !== undefined).map((local) => ({ local, prefix: '' })),
      ...(prefixedMap.get(remote) ?? []).map((local) => ({ local, prefix: `${remote}:` })),
    ].filter(({ local }) => current.has(local));
    if (targets.length === 0) {
      unmapped.push(remote);
      continue;
    }
    for (const { local, prefix } of targets) {
      const target = desired.get(local) ?? new Map<string, string>();
      for (const [name, value] of values) if (keep(name)) target.set(`${prefix}${name}`, value);
      desired.set(local, target);
    }
  }
  return { desired, unmapped };
}

/**
 * From what is there (`current`) to what should be (`desired`): the values to set, and the ones
 * cibsync set earlier that left and are still as it set them, to delete; and what it owns afterwards.
 */
export function planAttributeChanges(
  current: AttributeMap,
  desired: AttributeMap,
  previouslyOwnedIn: NodeAttributes,
): Omit<AttributePlan, 'unmapped'> {
  const previouslyOwned = toMap(previouslyOwnedIn);
  const changes: AttributeChange[] = [];
  const owned: AttributeMap = new Map();
  for (const [node, values] of desired) {
    for (const [name, value] of values) {
      const previous = current.get(node)?.get(name);
      if (previous !== value) changes.push({ node, name, change: 'set', value, previous });
      // A value that was already there, set by someone else, stays theirs.
      if (previous !== value || previouslyOwned.get(node)?.has(name))
        owned.set(node, (owned.get(node) ?? new Map()).set(name, value));
    }
  }
  for (const [node, values] of previouslyOwned) {
    for (const [name, value] of values) {
      if (desired.get(node)?.has(name)) continue;
      // Changed by someone else since cibsync set it: no longer ours to delete.
      if (current.get(node)?.get(name) === value) changes.push({ node, name, change: 'deleted', previous: value });
    }
  }
  return { changes, owned: toRecord(owned) };
}

/** Makes the planned changes in the <nodes> of `configuration` (a candidate: its <nodes> are this site's). */
export function withAttributeChanges(configuration: XmlElement, changes: AttributeChange[]): void {
  const nodes = nodesByName(configuration);
  const ids = new Set(
    [...descendants(configuration)].map((d) => d.attrs.id).filter((id): id is string => id !== undefined),
  );
  const freshId = (name: string) => {
    // An XML ID, as crm_attribute makes it: "master-rsc:0" becomes "master-rsc.0".
    const base = name.replace(/[^A-Za-z0-9_.-]/g, '.');
    let id = base;
    for (let i = 1; ids.has(id); i++) id = `${base}-${i}`;
    ids.add(id);
    return id;
  };
  for (const c of changes) {
    const node = nodes.get(c.node);
    if (!node) continue; // planAttributes only plans for nodes that exist
    const sets = childElements(node, 'instance_attributes');
    const existing = sets.flatMap((s) => childElements(s, 'nvpair').filter((nv) => nv.attrs.name === c.name));
    if (c.change === 'deleted') {
      for (const set of sets)
        set.children = set.children.filter(
          (ch) => !(ch.kind === 'element' && ch.name === 'nvpair' && ch.attrs.name === c.name),
        );
      node.children = node.children.filter(
        (ch) => !(ch.kind === 'element' && ch.name === 'instance_attributes' && childElements(ch).length === 0),
      );
    } else if (existing.length > 0) {
      for (const nv of existing) nv.attrs.value = c.value ?? '';
    } else {
      // Where crm_attribute would put it: the first set without rules, else a new one.
      const nodeId = node.attrs.id ?? c.node;
      let set = sets.find((s) => !firstChild(s, 'rule'));
      if (!set) {
        set = element('instance_attributes', { id: freshId(`nodes-${nodeId}`) });
        node.children.push(set);
      }
      set.children.push(
        element('nvpair', { id: freshId(`nodes-${nodeId}-${c.name}`), name: c.name, value: c.value ?? '' }),
      );
    }
  }
}

/**
 * Ownership survives a kill -9 around the CIB write: before it, the union of what cibsync owned and
 * what it is about to own is recorded (an attribute owned but not written is harmless: deleting it
 * later needs the CIB to hold exactly cibsync's value); after it, the final set.
 */
export async function recordOwnershipAhead(
  stateDir: string,
  previously: NodeAttributes,
  plan: Pick<AttributePlan, 'owned'>,
  kind: AttributeKind = 'permanent',
): Promise<void> {
  const union = toMap(previously);
  for (const [node, values] of toMap(plan.owned))
    for (const [name, value] of values) union.set(node, (union.get(node) ?? new Map()).set(name, value));
  await writeOwnedAttributes(stateDir, toRecord(union), kind);
}

export async function recordOwnership(stateDir: string, plan: AttributePlan, logger: Logger): Promise<void> {
  await writeOwnedAttributes(stateDir, plan.owned);
  for (const c of plan.changes)
    logger.info(
      { step: 'node-attributes', node: c.node, attribute: c.name, change: c.change, value: c.value },
      `${c.change} ${c.name} on ${c.node}`,
    );
}
