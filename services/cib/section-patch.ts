// A section replace as a patch: the sections of <configuration> that differ, each deleted and created
// whole, in crm_diff's own patch format (format 2). Pacemaker applies a crm_diff patch of many added
// objects in time that grows with the square of the section's length (each create walks to its
// position), so a first import of 1,000 primitives took seconds and one of 10,000 never finished;
// one create per section costs one parse of it. Carried as a patch, the write keeps the patch's
// guard: cibadmin applies it only to a CIB at exactly the version it names, in one write.
import { element, sameXml, type XmlElement, type XmlNode } from '../xml/index.js';

export interface SectionReplace {
  /** A version-less patch (`<diff format="2">`), as crm_diff --no-version writes one. */
  patch: XmlElement;
  /** The sections it replaces, adds or removes, by name, in the candidate's order. */
  sections: string[];
}

const isBlank = (n: XmlNode) => n.kind === 'text' && n.text.trim() === '';

/** The element children of a <configuration>, or undefined when it holds anything else (a comment) or a section twice. */
function sectionsOf(configuration: XmlElement): XmlElement[] | undefined {
  const sections: XmlElement[] = [];
  const names = new Set<string>();
  for (const child of configuration.children) {
    if (isBlank(child)) continue;
    if (child.kind !== 'element' || names.has(child.name)) return undefined;
    names.add(child.name);
    sections.push(child);
  }
  return sections;
}

const sameAttributes = (a: XmlElement, b: XmlElement) => sameXml(element(a.name, a.attrs), element(b.name, b.attrs));

/**
 * The patch that turns the <configuration> `from` into `to` by replacing whole sections; undefined
 * when that cannot be said this way (the <configuration> elements' own attributes differ, a comment
 * or a repeated section, sections kept in another order): the caller then patches object by object.
 * Sections that are the same on both sides are not in it, so nothing but the differing sections is
 * written. Deletes come first and creates follow in the candidate's order, so each create's position
 * (its index among the element children, as Pacemaker counts them in a CIB parsed without blanks) is
 * final when it is made.
 */
export function sectionReplacement(from: XmlElement, to: XmlElement): SectionReplace | undefined {
  const before = sectionsOf(from);
  const after = sectionsOf(to);
  if (!before || !after || !sameAttributes(from, to)) return undefined;
  const old = new Map(before.map((s) => [s.name, s]));
  const replaced = new Set(after.filter((s) => !sameXml(s, old.get(s.name) ?? element(''))).map((s) => s.name));
  const kept = (list: XmlElement[]) =>
    list.filter((s) => !replaced.has(s.name) && after.some((a) => a.name === s.name));
  const keptBefore = kept(before).map((s) => s.name);
  const keptAfter = kept(after).map((s) => s.name);
  if (keptBefore.join('\0') !== keptAfter.join('\0')) return undefined;
  const removed = before.filter((s) => replaced.has(s.name) || !after.some((a) => a.name === s.name));
  const changes = [
    ...removed.map((s) => element('change', { operation: 'delete', path: `/cib/configuration/${s.name}` })),
    ...after.flatMap((s, position) =>
      replaced.has(s.name)
        ? [element('change', { operation: 'create', path: '/cib/configuration', position: String(position) }, [s])]
        : [],
    ),
  ];
  return {
    patch: element('diff', { format: '2' }, changes),
    sections: [...new Set([...removed.map((s) => s.name), ...replaced])],
  };
}
