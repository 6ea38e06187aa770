// The <node> entries of a configuration and their permanent node attributes (the instance_attributes
// nvpairs), by node name (uname, else id).
import { childElements, firstChild, type XmlElement } from '../xml/index.js';

/** Node name → attribute name → value. */
export type AttributeMap = Map<string, Map<string, string>>;

export function nodesByName(configuration: XmlElement): Map<string, XmlElement> {
  const nodes = firstChild(configuration, 'nodes');
  return new Map(
    (nodes ? childElements(nodes, 'node') : []).map((n) => [n.attrs.uname ?? n.attrs.id ?? '', n] as const),
  );
}

/** The permanent attributes of each <node>, by node name (the last nvpair of a name wins). */
export function attributesByNode(nodes: Map<string, XmlElement>): AttributeMap {
  const result: AttributeMap = new Map();
  for (const [name, node] of nodes) {
    const values = new Map<string, string>();
    for (const set of childElements(node, 'instance_attributes'))
      for (const nv of childElements(set, 'nvpair'))
        if (nv.attrs.name !== undefined) values.set(nv.attrs.name, nv.attrs.value ?? '');
    result.set(name, values);
  }
  return result;
}

/** The permanent node attributes of each <node> of a configuration, by node name, as a publication carries them. */
export function nodeAttributesOf(configuration: XmlElement): Record<string, Record<string, string>> {
  // Own properties only (Object.fromEntries): a node or attribute named __proto__ is kept as such.
  const result: [string, Record<string, string>][] = [];
  const nodes = firstChild(configuration, 'nodes');
  for (const node of nodes ? childElements(nodes, 'node') : []) {
    const name = node.attrs.uname ?? node.attrs.id;
    if (!name) continue;
    const values = childElements(node, 'instance_attributes').flatMap((set) =>
      childElements(set, 'nvpair')
        .filter((nv) => nv.attrs.name !== undefined)
        .map((nv) => [nv.attrs.name as string, nv.attrs.value ?? ''] as const),
    );
    if (values.length > 0) result.push([name, Object.fromEntries(values)]);
  }
  return Object.fromEntries(result);
}
