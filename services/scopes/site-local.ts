// What stays at its site, as pure questions over one `<configuration>`: the import's splice step
// (pipeline/splice.ts) keeps this site's site-local parts by these rules, and the scope split
// (split.ts) leaves them out of every scope by the same rules.
import type { SiteLocalConfig } from '../config/index.js';
import { childElements, descendants, firstChild, type XmlElement } from '../xml/index.js';

/** The attributes by which a constraint names a resource (besides `resource_ref` and `rsc-pattern`). */
const CONSTRAINT_REFS = ['rsc', 'with-rsc', 'first', 'then'];

// These elements' `id` refers to another object; it is not an id of their own.
const REFERENCES = new Set(['resource_ref', 'obj_ref']);

/** Every id an element and its descendants define (references such as `resource_ref` excluded). */
export function idsBelow(el: XmlElement): string[] {
  return [...descendants(el)]
    .filter((d) => !REFERENCES.has(d.name))
    .map((d) => d.attrs.id)
    .filter((id): id is string => id !== undefined);
}

function tagMembers(configuration: XmlElement, tag: string): Set<string> {
  const tags = firstChild(configuration, 'tags');
  const members = new Set<string>();
  for (const t of tags ? childElements(tags, 'tag') : [])
    if (t.attrs.id === tag) for (const ref of childElements(t, 'obj_ref')) if (ref.attrs.id) members.add(ref.attrs.id);
  return members;
}

/** The ids a constraint names by `rsc`, `with-rsc`, `first`, `then` and `resource_ref`. */
export function constraintRefs(c: XmlElement): string[] {
  const refs = CONSTRAINT_REFS.map((a) => c.attrs[a]).filter((v): v is string => v !== undefined);
  for (const d of descendants(c)) if (d.name === 'resource_ref' && d.attrs.id) refs.push(d.attrs.id);
  return refs;
}

/** What decides, in one configuration, whether a top-level resource or a constraint is site-local. */
export function siteLocalMatcher(configuration: XmlElement, rules: SiteLocalConfig) {
  const marked = new Set([...tagMembers(configuration, rules.tag), ...rules.ids]);
  const isFencing = (p: XmlElement) => rules.stonith && p.name === 'primitive' && p.attrs.class === 'stonith';
  const isLocalPrimitive = (p: XmlElement) =>
    (rules.booth && p.attrs.type === 'booth-site') || (rules.cibsync && p.attrs.provider === 'cibsync');
  const primitives = (top: XmlElement) => [...descendants(top)].filter((d) => d.name === 'primitive');
  // Marked, or holding booth or cibsync itself: such a resource (an address grouped with booth, say) is this site's whole.
  const wholeLocal = (top: XmlElement) =>
    [...descendants(top)].some(
      (d) => (d.attrs.id !== undefined && marked.has(d.attrs.id)) || (d.name === 'primitive' && isLocalPrimitive(d)),
    );
  const mixesFencing = (top: XmlElement) =>
    primitives(top).some(isFencing) && primitives(top).some((p) => !isFencing(p));
  return {
    /**
     * Site-local as a whole. A group that mixes fencing devices with other resources is not: only its
     * fencing devices are. (A clone mixing them is refused in a publication, and kept whole here.)
     */
    resource: (top: XmlElement) =>
      wholeLocal(top) || (primitives(top).some(isFencing) && !(top.name === 'group' && mixesFencing(top))),
    /** A fencing device directly inside a group that replicates. */
    fencingMember: (group: XmlElement, member: XmlElement) =>
      group.name === 'group' && isFencing(member) && !wholeLocal(group),
    /** A clone or bundle mixing fencing devices with resources that replicate: no sound way to split it. */
    unsplittable: (top: XmlElement) => top.name !== 'group' && !wholeLocal(top) && mixesFencing(top),
    constraint: (c: XmlElement, localIds: Set<string>) =>
      (c.attrs.id !== undefined && marked.has(c.attrs.id)) || constraintRefs(c).some((r) => localIds.has(r)),
  };
}
