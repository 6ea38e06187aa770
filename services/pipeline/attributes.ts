// Step 8: per-server node attributes. The publication's attributes of each mapped remote server go
// onto its local counterpart; only changed values are written; attributes cibsync set earlier and
// that left the publication are deleted, unless someone changed them since. Attributes cibsync never
// set are never deleted.
import type { Logger } from '../log.js';
import type { Pacemaker } from '../pacemaker/index.js';
import { nodeAttributesOf, type NodeAttributes } from '../publication/index.js';
import type { XmlElement } from '../xml/index.js';
import { attributeStatePath, readJson, writeJson } from './state.js';
import type { AttributeChange } from './types.js';

export interface AttributePlan {
  changes: AttributeChange[];
  /** What cibsync will own after the changes: local node → name → value. */
  owned: NodeAttributes;
  /** Remote servers with attributes but no local counterpart in the node map. */
  unmapped: string[];
}

export function planAttributes(localConfiguration: XmlElement, published: NodeAttributes, nodeMap: Record<string, string>, exclude: string[], previouslyOwned: NodeAttributes): AttributePlan {
  const current = nodeAttributesOf(localConfiguration);
  const skip = new Set(exclude);
  const desired: NodeAttributes = {};
  const unmapped: string[] = [];
  for (const [remote, values] of Object.entries(published)) {
    const local = nodeMap[remote];
    if (!local) {
      unmapped.push(remote);
      continue;
    }
    desired[local] = { ...desired[local], ...Object.fromEntries(Object.entries(values).filter(([name]) => !skip.has(name))) };
  }
  const changes: AttributeChange[] = [];
  const owned: NodeAttributes = {};
  for (const [node, values] of Object.entries(desired)) {
    for (const [name, value] of Object.entries(values)) {
      const previous = current[node]?.[name];
      if (previous !== value) changes.push({ node, name, change: 'set', value, previous });
      // A value that was already there, set by someone else, stays theirs.
      if (previous !== value || previouslyOwned[node]?.[name] !== undefined) (owned[node] ??= {})[name] = value;
    }
  }
  for (const [node, values] of Object.entries(previouslyOwned)) {
    for (const [name, value] of Object.entries(values)) {
      if (desired[node]?.[name] !== undefined) continue;
      // Changed by someone else since cibsync set it: no longer ours to delete.
      if (current[node]?.[name] === value) changes.push({ node, name, change: 'deleted', previous: value });
    }
  }
  return { changes, owned, unmapped };
}

export async function readOwnedAttributes(stateDir: string): Promise<NodeAttributes> {
  return readJson<NodeAttributes>(attributeStatePath(stateDir), {});
}

export async function applyAttributes(pacemaker: Pacemaker, stateDir: string, plan: AttributePlan, logger: Logger): Promise<void> {
  if (plan.changes.length > 0) {
    await pacemaker.write(async (writer) => {
      for (const c of plan.changes) {
        if (c.change === 'set') await writer.setNodeAttribute(c.node, c.name, c.value ?? '');
        else await writer.deleteNodeAttribute(c.node, c.name);
        logger.info({ step: 'node-attributes', node: c.node, attribute: c.name, change: c.change, value: c.value }, `${c.change} ${c.name} on ${c.node}`);
      }
    });
  }
  await writeJson(attributeStatePath(stateDir), plan.owned);
}
