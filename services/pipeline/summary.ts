// Step 6's readable side: what differs between two configurations, named by kind and id rather than
// as raw XML, so that a person can read it in a hurry.
import { canonical, childElements, descendants, firstChild, type XmlElement } from '../xml/index.js';
import type { ObjectChange } from './types.js';

interface Entry {
  kind: string;
  id: string;
  el: XmlElement;
}

const SECTIONS: Record<string, string> = {
  resources: 'resource',
  constraints: 'constraint',
  tags: 'tag',
  'fencing-topology': 'fencing-level',
  acls: 'acl',
  alerts: 'alert',
};
const NVPAIR_SECTIONS: Record<string, string> = {
  crm_config: 'property',
  rsc_defaults: 'rsc_default',
  op_defaults: 'op_default',
};

function entries(configuration: XmlElement): Map<string, Entry> {
  const result = new Map<string, Entry>();
  for (const [section, kind] of Object.entries(SECTIONS)) {
    const el = firstChild(configuration, section);
    for (const child of el ? childElements(el) : []) {
      const id = child.attrs.id ?? `${child.name}#${result.size}`;
      result.set(`${kind}:${id}`, { kind, id, el: child });
    }
  }
  for (const [section, kind] of Object.entries(NVPAIR_SECTIONS)) {
    const el = firstChild(configuration, section);
    for (const nv of el ? [...descendants(el)].filter((d) => d.name === 'nvpair') : []) {
      const id = nv.attrs.name ?? nv.attrs.id ?? '?';
      result.set(`${kind}:${id}`, { kind, id, el: nv });
    }
  }
  return result;
}

/** "id.attribute: old → new" for each attribute that differs between two versions of one object. */
function attributeDetails(before: XmlElement, after: XmlElement): string[] {
  const index = (el: XmlElement) => new Map([...descendants(el)].map((d, i) => [d.attrs.id ?? `${d.name}[${i}]`, d]));
  const a = index(before);
  const b = index(after);
  const details: string[] = [];
  for (const [id, old] of a) {
    const now = b.get(id);
    if (!now) {
      details.push(`${id}: removed`);
      continue;
    }
    const label = old.name === 'nvpair' ? `${old.attrs.name ?? id}` : id;
    for (const name of new Set([...Object.keys(old.attrs), ...Object.keys(now.attrs)])) {
      if (name === 'id' || old.attrs[name] === now.attrs[name]) continue;
      details.push(`${label}.${name}: ${old.attrs[name] ?? '(unset)'} → ${now.attrs[name] ?? '(unset)'}`);
    }
  }
  for (const [id, el] of b)
    if (!a.has(id)) details.push(`${el.name === 'nvpair' ? `${el.attrs.name}=${el.attrs.value}` : id}: added`);
  return details;
}

export function summarizeChanges(before: XmlElement, after: XmlElement): ObjectChange[] {
  const a = entries(before);
  const b = entries(after);
  const changes: ObjectChange[] = [];
  for (const [key, old] of a) {
    const now = b.get(key);
    if (!now) changes.push({ kind: old.kind, id: old.id, change: 'removed', details: [] });
    else if (canonical(old.el) !== canonical(now.el)) {
      const details =
        old.el.name === 'nvpair'
          ? [`${old.el.attrs.value ?? '(unset)'} → ${now.el.attrs.value ?? '(unset)'}`]
          : attributeDetails(old.el, now.el);
      changes.push({
        kind: old.kind,
        id: old.id,
        change: 'changed',
        details: details.length > 0 ? details : ['order or content of children changed'],
      });
    }
  }
  for (const [key, now] of b)
    if (!a.has(key))
      changes.push({
        kind: now.kind,
        id: now.id,
        change: 'added',
        details: now.el.name === 'nvpair' ? [`value ${now.el.attrs.value ?? ''}`] : [],
      });
  return changes;
}
