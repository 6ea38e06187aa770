// The <configuration> and <status> sections of a CIB document: finding the configuration, putting
// another one in its place, and leaving the resource history out of the status.
import { CibsyncError } from '../errors.js';
import { childElements, element, firstChild, shallowCopy, type XmlElement } from '../xml/index.js';

/** The <configuration> of a CIB that Pacemaker gave us; one without it is Pacemaker's failure. */
export function configurationOfCib(cib: XmlElement): XmlElement {
  const configuration = firstChild(cib, 'configuration');
  if (!configuration) throw new CibsyncError('CIBSYNC_PCMK_ERROR', 'the CIB has no <configuration> section');
  return configuration;
}

/**
 * The <configuration> a user handed to the authoring tools: the element itself, or the one inside a
 * whole <cib> (cibadmin -Q, the corpus files); anything else is a usage error. (A publication is read
 * before it gets here: transform/input.ts.)
 */
export function suppliedConfiguration(root: XmlElement): XmlElement {
  if (root.name === 'configuration') return root;
  const configuration = root.name === 'cib' ? firstChild(root, 'configuration') : undefined;
  if (!configuration)
    throw new CibsyncError('CIBSYNC_USAGE', `expected a <configuration>, a <cib> or a publication, got <${root.name}>`);
  return configuration;
}

/** A copy of `cib` whose <configuration> is `configuration` (both shared, not copied: trees are not changed once built). */
export function withConfiguration(cib: XmlElement, configuration: XmlElement): XmlElement {
  const copy = shallowCopy(cib);
  copy.children = copy.children.map((c) => (c.kind === 'element' && c.name === 'configuration' ? configuration : c));
  return copy;
}

/**
 * A copy of `cib` whose status keeps the nodes (and tickets) but no resource history: what crm_verify
 * says of the configuration on this site's nodes, with nothing running yet. Node entries matter: clone
 * instances, and the warnings about them, only exist on online nodes.
 */
export function withoutHistory(cib: XmlElement): XmlElement {
  const copy = shallowCopy(cib);
  copy.children = copy.children.map((c) => {
    if (c.kind !== 'element' || c.name !== 'status') return c;
    const nodes = childElements(c).filter((s) => s.name === 'node_state' || s.name === 'tickets');
    return element(
      'status',
      c.attrs,
      nodes.map((s) => (s.name === 'node_state' ? element('node_state', s.attrs) : s)),
    );
  });
  return copy;
}
