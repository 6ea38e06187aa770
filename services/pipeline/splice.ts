// Step 4: keep this site's own parts. The candidate loses whatever is site-local in the publication
// (the source's nodes, fencing, booth and cibsync resources, tagged objects, cluster-owned
// properties) and gets this site's own back, with the constraints that refer to them. A fencing device
// inside a group that replicates is site-local alone: the rest of the group crosses.
import type { SiteLocalConfig } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import { idsBelow, siteLocalMatcher } from '../scopes/site-local.js';
import {
  childElements,
  clone,
  element,
  ensureChild,
  firstChild,
  removeChildren,
  shallowCopy,
  type XmlElement,
} from '../xml/index.js';

export interface SpliceResult {
  configuration: XmlElement;
  /** Ids of the publication's site-local objects that were dropped. */
  dropped: string[];
  /** Ids of this site's objects that were kept. */
  kept: string[];
  /** How many of the publication's resources cross (not site-local). */
  replicatedResources: number;
}

export function spliceSiteLocal(candidateIn: XmlElement, local: XmlElement, rules: SiteLocalConfig): SpliceResult {
  const candidate = editableCopy(candidateIn);
  const remoteIs = siteLocalMatcher(candidate, rules);
  const localIs = siteLocalMatcher(local, rules);

  // nodes: always this site's
  const localNodes = firstChild(local, 'nodes');
  replaceSection(candidate, 'nodes', localNodes ? clone(localNodes) : element('nodes'));

  // cluster-owned properties
  const owned = new Set(rules.crmConfigProperties);
  const candCrm = ensureChild(candidate, 'crm_config');
  for (const set of childElements(candCrm, 'cluster_property_set'))
    removeChildren(set, (nv) => nv.name === 'nvpair' && owned.has(nv.attrs.name ?? ''));
  const localCrm = firstChild(local, 'crm_config');
  for (const set of localCrm ? childElements(localCrm, 'cluster_property_set') : []) {
    const mine = childElements(set, 'nvpair').filter((nv) => owned.has(nv.attrs.name ?? ''));
    if (mine.length === 0) continue;
    let target = childElements(candCrm, 'cluster_property_set').find((s) => s.attrs.id === set.attrs.id);
    if (!target) {
      target = element('cluster_property_set', { ...set.attrs });
      candCrm.children.push(target);
    }
    target.children.push(...mine.map((nv) => clone(nv)));
  }

  // resources
  const candResources = ensureChild(candidate, 'resources');
  const unsplittable = childElements(candResources).filter((r) => remoteIs.unsplittable(r));
  if (unsplittable.length > 0) {
    const names = unsplittable.map((r) => r.attrs.id ?? r.name).join(', ');
    throw new CibsyncError(
      'CIBSYNC_SPLICE_FENCING_MIXED',
      `${names} mixes fencing devices with resources that replicate; a fencing device stays at its site, and cibsync cannot split a ${unsplittable[0]?.name}: move the fencing device out of it, or tag it ${rules.tag} to keep it at its site whole`,
      { resources: unsplittable.map((r) => r.attrs.id) },
    );
  }
  const droppedIds = new Set<string>();
  for (const r of removeChildren(candResources, (r) => remoteIs.resource(r)))
    for (const id of idsBelow(r)) droppedIds.add(id);
  // The publication's fencing devices leave its replicated groups; the rest of each group crosses.
  for (const g of childElements(candResources, 'group'))
    for (const f of removeChildren(g, (m) => remoteIs.fencingMember(g, m)))
      for (const id of idsBelow(f)) droppedIds.add(id);
  const replicatedResources = childElements(candResources).length;
  const localResources = firstChild(local, 'resources');
  const keptResources = localResources ? childElements(localResources).filter((r) => localIs.resource(r)) : [];
  // This site's fencing devices inside groups that replicate, with their place in the group.
  const keptFencing = (localResources ? childElements(localResources, 'group') : []).flatMap((g) =>
    childElements(g, 'primitive').flatMap((m, index) =>
      localIs.fencingMember(g, m) ? [{ group: g.attrs.id, index, device: m }] : [],
    ),
  );
  const keptIds = new Set([...keptResources, ...keptFencing.map((f) => f.device)].flatMap(idsBelow));

  // constraints
  const candConstraints = ensureChild(candidate, 'constraints');
  for (const c of removeChildren(candConstraints, (c) => remoteIs.constraint(c, droppedIds)))
    for (const id of idsBelow(c)) droppedIds.add(id);
  const localConstraints = firstChild(local, 'constraints');
  const keptConstraints = localConstraints
    ? childElements(localConstraints).filter((c) => localIs.constraint(c, keptIds))
    : [];
  for (const c of keptConstraints) for (const id of idsBelow(c)) keptIds.add(id);

  // fencing topology: this site's
  const localTopology = firstChild(local, 'fencing-topology');
  removeChildren(candidate, (c) => c.name === 'fencing-topology');
  if (localTopology) {
    candidate.children.push(clone(localTopology));
    for (const id of idsBelow(localTopology)) keptIds.add(id);
  }

  // the site-local tag is this site's; other tags lose references to dropped objects
  const candTags = firstChild(candidate, 'tags');
  const tagsWereEmpty = !candTags || childElements(candTags).length === 0;
  if (candTags) {
    removeChildren(candTags, (t) => t.attrs.id === rules.tag);
    for (const t of childElements(candTags, 'tag')) removeChildren(t, (ref) => droppedIds.has(ref.attrs.id ?? ''));
    removeChildren(candTags, (t) => childElements(t, 'obj_ref').length === 0);
  }
  const localTag =
    firstChild(local, 'tags') &&
    childElements(firstChild(local, 'tags') as XmlElement, 'tag').find((t) => t.attrs.id === rules.tag);

  const conflicts = idsBelow(candidate).filter((id) => keptIds.has(id));
  if (conflicts.length > 0) {
    throw new CibsyncError(
      'CIBSYNC_SPLICE_ID_CONFLICT',
      `the publication uses ids that this site keeps for its own objects: ${[...new Set(conflicts)].slice(0, 10).join(', ')}`,
      { ids: conflicts },
    );
  }
  candResources.children.push(...keptResources.map((r) => clone(r)));
  for (const f of keptFencing) insertMember(candResources, f.group, f.index, clone(f.device));
  candConstraints.children.push(...keptConstraints.map((c) => clone(c)));
  if (localTag) ensureChild(candidate, 'tags').children.push(clone(localTag));
  // An empty <tags/> the source had stays; one that only lost what was dropped goes (the schema wants a tag in it).
  if (candTags && !tagsWereEmpty && childElements(candTags).length === 0)
    removeChildren(candidate, (c) => c === candTags);

  return {
    configuration: candidate,
    dropped: [...droppedIds],
    kept: [...keptResources, ...keptFencing.map((f) => f.device), ...keptConstraints].map((e) => e.attrs.id ?? ''),
    replicatedResources,
  };
}

/**
 * Puts this site's fencing device back into its group, as the index-th member (the group's order is
 * its start order). Should the group no longer replicate, the device stays as a resource of its own:
 * this site's fencing is never lost with a group the source removed.
 */
function insertMember(resources: XmlElement, groupId: string | undefined, index: number, device: XmlElement): void {
  const group = childElements(resources, 'group').find((g) => g.attrs.id === groupId);
  if (!group) {
    resources.children.push(device);
    return;
  }
  const before = childElements(group, 'primitive')[index];
  const at = before ? group.children.indexOf(before) : group.children.length;
  group.children.splice(at, 0, device);
}

/** The sections this step changes, and the name of their children it changes too. */
const EDITED: Record<string, string | undefined> = {
  crm_config: 'cluster_property_set',
  resources: 'group',
  constraints: undefined,
  tags: 'tag',
};

/**
 * A copy of `configuration` in which this step may change what it changes (the root, the sections and
 * their property sets, groups and tags are new elements) while everything below them is shared with
 * `configuration`: no step changes a tree once built, so a large publication is not copied whole.
 */
function editableCopy(configuration: XmlElement): XmlElement {
  const copy = shallowCopy(configuration);
  copy.children = copy.children.map((section) => {
    if (section.kind !== 'element' || !Object.hasOwn(EDITED, section.name)) return section;
    const edited = shallowCopy(section);
    edited.children = edited.children.map((c) =>
      c.kind === 'element' && c.name === EDITED[section.name] ? shallowCopy(c) : c,
    );
    return edited;
  });
  return copy;
}

function replaceSection(configuration: XmlElement, name: string, section: XmlElement): void {
  const index = configuration.children.findIndex((c) => c.kind === 'element' && c.name === name);
  if (index >= 0) configuration.children[index] = section;
  else {
    const after = configuration.children.findIndex((c) => c.kind === 'element' && c.name === 'crm_config');
    configuration.children.splice(after + 1, 0, section);
  }
}
