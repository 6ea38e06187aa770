// The scope split (docs/architecture.md, "Scopes"): every part of a `<configuration>` belongs to
// exactly one owner: the scope of one ticket, the global scope, or this site (site-local). The unit
// of a scope is a top-level element of <resources>, <constraints> or <tags>; whatever cannot be
// placed in exactly one ticket's scope falls to the global scope, and the split says which and why.
import type { SiteLocalConfig } from '../config/index.js';
import { childElements, descendants, firstChild, type XmlElement } from '../xml/index.js';
import { constraintRefs, idsBelow, siteLocalMatcher } from './site-local.js';

/** A scope: one ticket's, or the global one. */
export type ScopeRef = { ticket: string } | 'global';

/** An owner key: a ticket's name, or one of these two (NUL never occurs in an XML attribute value). */
export const GLOBAL = '\0global';
export const SITE_LOCAL = '\0site-local';

export function ownerKey(scope: ScopeRef): string {
  return scope === 'global' ? GLOBAL : scope.ticket;
}

/** A scope by its name in settings and publications: `global`, or a ticket's name. */
export function scopeRef(name: string): ScopeRef {
  return name === 'global' ? 'global' : { ticket: name };
}

export function scopeName(scope: ScopeRef): string {
  return scope === 'global' ? 'global' : scope.ticket;
}

/** How an owner key reads in messages and output. */
export function ownerName(owner: string): string {
  return owner === GLOBAL ? 'global' : owner === SITE_LOCAL ? 'site-local' : owner;
}

/** The sections whose children are shared out one by one; every other one belongs to one owner whole. */
export const ITEM_SECTIONS = ['resources', 'constraints', 'tags'];
/** Sections that are this site's whole. */
export const SITE_LOCAL_SECTIONS = new Set(['nodes', 'fencing-topology']);

const RESOURCES = new Set(['primitive', 'group', 'clone', 'master', 'bundle']);

export interface ScopeContents {
  resources: string[];
  templates: string[];
  constraints: string[];
  tags: string[];
}

export interface FellToGlobal {
  kind: 'resource' | 'template' | 'constraint' | 'tag';
  id: string;
  reason: string;
  /** The owners it touches: ticket names, `global`, `site-local`. */
  owners: string[];
}

export interface ScopeSplit {
  /** One scope per ticket that an rsc_ticket constraint names, by ticket name. */
  tickets: Record<string, ScopeContents>;
  /** The global scope; `sections` are the configuration sections it holds (of crm_config, all but the cluster-owned properties). */
  global: ScopeContents & { sections: string[] };
  /** This site's own parts; `sections` are nodes, fencing-topology, and crm_config for the cluster-owned properties. */
  siteLocal: ScopeContents & { sections: string[] };
  fellToGlobal: FellToGlobal[];
}

/** Each top-level item's owner (by element identity), and what fell to the global scope. */
export interface Classification {
  owner: Map<XmlElement, string>;
  tickets: string[];
  fellToGlobal: FellToGlobal[];
}

/** The objects a configuration's references can name, and how a reference resolves. */
function referenceIndex(configuration: XmlElement) {
  const resources = firstChild(configuration, 'resources');
  const tops = resources ? childElements(resources).filter((e) => RESOURCES.has(e.name)) : [];
  const topOf = new Map<string, XmlElement>();
  for (const top of tops)
    for (const d of descendants(top)) if (RESOURCES.has(d.name) && d.attrs.id) topOf.set(d.attrs.id, top);
  const templates = new Map((resources ? childElements(resources, 'template') : []).map((t) => [t.attrs.id ?? '', t]));
  const templateUsers = new Map<string, Set<XmlElement>>();
  for (const top of tops)
    for (const d of descendants(top))
      if (d.name === 'primitive' && d.attrs.template)
        templateUsers.set(d.attrs.template, (templateUsers.get(d.attrs.template) ?? new Set()).add(top));
  const tagsSection = firstChild(configuration, 'tags');
  const tags = new Map((tagsSection ? childElements(tagsSection, 'tag') : []).map((t) => [t.attrs.id ?? '', t]));

  /** The top-level resources an id names, and the templates and tags it goes through. */
  function resolve(id: string, found = { tops: new Set<XmlElement>(), objects: new Set<XmlElement>() }) {
    const top = topOf.get(id);
    const template = templates.get(id);
    const tag = tags.get(id);
    if (top) found.tops.add(top);
    if (template) {
      found.objects.add(template);
      for (const user of templateUsers.get(id) ?? []) found.tops.add(user);
    }
    if (tag && !found.objects.has(tag)) {
      found.objects.add(tag);
      for (const ref of childElements(tag, 'obj_ref')) if (ref.attrs.id) resolve(ref.attrs.id, found);
    }
    return found;
  }

  /** What a constraint names: its references, and for `rsc-pattern` every top-level resource the pattern matches. */
  function resolveConstraint(c: XmlElement) {
    const found = { tops: new Set<XmlElement>(), objects: new Set<XmlElement>(), unknown: [] as string[] };
    for (const id of constraintRefs(c)) {
      if (topOf.has(id) || templates.has(id) || tags.has(id)) resolve(id, found);
      else found.unknown.push(id);
    }
    const pattern = c.attrs['rsc-pattern'];
    if (pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(pattern);
      } catch {
        re = undefined;
      }
      for (const top of tops) if (!re || re.test(top.attrs.id ?? '')) found.tops.add(top);
    }
    return found;
  }

  return {
    tops,
    templates: [...templates.values()],
    templateUsers,
    tags: [...tags.values()],
    resolve,
    resolveConstraint,
  };
}

const names = (owners: Iterable<string>) => [...owners].map(ownerName).sort();
const andList = (items: string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

export function classify(configuration: XmlElement, rules: SiteLocalConfig): Classification {
  const index = referenceIndex(configuration);
  const isLocal = siteLocalMatcher(configuration, rules);
  const owner = new Map<XmlElement, string>();
  const fellToGlobal: FellToGlobal[] = [];
  const fell = (kind: FellToGlobal['kind'], el: XmlElement, reason: string, owners: Iterable<string>) => {
    owner.set(el, GLOBAL);
    fellToGlobal.push({ kind, id: el.attrs.id ?? el.name, reason, owners: names(owners) });
  };

  // Site-local resources, and the ids whose constraints stay with them (as the splice step decides).
  const localIds = new Set<string>();
  for (const top of index.tops) {
    if (isLocal.resource(top)) {
      owner.set(top, SITE_LOCAL);
      for (const id of idsBelow(top)) localIds.add(id);
    } else if (top.name === 'group') {
      for (const member of childElements(top, 'primitive'))
        if (isLocal.fencingMember(top, member)) for (const id of idsBelow(member)) localIds.add(id);
    }
  }
  const constraintsSection = firstChild(configuration, 'constraints');
  const constraints = constraintsSection ? childElements(constraintsSection) : [];
  for (const c of constraints) if (isLocal.constraint(c, localIds)) owner.set(c, SITE_LOCAL);

  // Tickets bind the top-level resources their rsc_ticket constraints name.
  const tickets = new Set<string>();
  const bindings = new Map<XmlElement, Set<string>>();
  for (const c of constraints) {
    const ticket = c.attrs.ticket;
    if (c.name !== 'rsc_ticket' || ticket === undefined) continue;
    tickets.add(ticket);
    if (owner.get(c) === SITE_LOCAL) continue;
    for (const top of index.resolveConstraint(c).tops) bindings.set(top, (bindings.get(top) ?? new Set()).add(ticket));
  }
  for (const top of index.tops) {
    if (owner.has(top)) continue;
    const bound = [...(bindings.get(top) ?? [])];
    if (bound.length === 1) owner.set(top, bound[0] as string);
    else if (bound.length === 0) owner.set(top, GLOBAL);
    else fell('resource', top, `bound to tickets ${andList(bound.sort())}`, bound);
  }

  // A constraint belongs where all of its resources are.
  const resolved = new Map(constraints.map((c) => [c, index.resolveConstraint(c)]));
  for (const c of constraints) {
    if (owner.has(c)) continue;
    const owners = new Set([...(resolved.get(c)?.tops ?? [])].map((top) => owner.get(top) as string));
    const only = [...owners][0];
    const unknown = resolved.get(c)?.unknown ?? [];
    // Where a constraint belongs must not depend on which scopes this configuration happens to have.
    if (unknown.length > 0)
      fell('constraint', c, `names ${andList(unknown)}, not a resource, template or tag of this configuration`, [
        ...owners,
        GLOBAL,
      ]);
    else if (owners.size > 1) fell('constraint', c, `spans scopes ${andList(names(owners))}`, owners);
    else if (c.name === 'rsc_ticket' && only !== c.attrs.ticket)
      fell(
        'constraint',
        c,
        only === undefined
          ? 'names no resource'
          : `ticket ${c.attrs.ticket}'s resources all fell to ${ownerName(only)}`,
        owners,
      );
    // A constraint naming only site-local resources through a tag or template is not site-local: the splice step replicates it.
    else owner.set(c, only === undefined || only === SITE_LOCAL ? GLOBAL : only);
  }

  // Templates and tags go with the one scope that uses them: their resources, the constraints and tags naming them.
  const uses = new Map<XmlElement, Set<string>>();
  const use = (el: XmlElement, o: string) => uses.set(el, (uses.get(el) ?? new Set()).add(o));
  for (const t of index.templates)
    for (const user of index.templateUsers.get(t.attrs.id ?? '') ?? []) use(t, owner.get(user) as string);
  const localTags = index.tags.filter((t) => t.attrs.id === rules.tag);
  for (const t of localTags) owner.set(t, SITE_LOCAL);
  const tags = index.tags.filter((t) => !localTags.includes(t));
  for (const t of tags) for (const top of index.resolve(t.attrs.id ?? '').tops) use(t, owner.get(top) as string);
  for (const [c, r] of resolved) for (const o of r.objects) if (!localTags.includes(o)) use(o, owner.get(c) as string);
  // A tag naming a template or another tag passes its users on, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of tags) {
      for (const o of index.resolve(t.attrs.id ?? '').objects) {
        if (o === t || localTags.includes(o)) continue;
        for (const u of uses.get(t) ?? []) {
          if (uses.get(o)?.has(u)) continue;
          use(o, u);
          changed = true;
        }
      }
    }
  }
  for (const [kind, list] of [
    ['template', index.templates],
    ['tag', tags],
  ] as const) {
    for (const el of list) {
      const users = [...(uses.get(el) ?? [])];
      const only = users[0];
      if (users.length > 1) fell(kind, el, `shared by ${andList(names(users))}`, users);
      else owner.set(el, only === undefined || only === SITE_LOCAL ? GLOBAL : only);
    }
  }

  // Anything else in the three sections (an element cibsync does not know) is global.
  for (const section of ITEM_SECTIONS) {
    const s = firstChild(configuration, section);
    for (const el of s ? childElements(s) : []) if (!owner.has(el)) owner.set(el, GLOBAL);
  }
  return { owner, tickets: [...tickets].sort(), fellToGlobal };
}

const emptyContents = (): ScopeContents => ({ resources: [], templates: [], constraints: [], tags: [] });

function contentsKey(el: XmlElement, section: string): keyof ScopeContents {
  if (section === 'constraints') return 'constraints';
  if (section === 'tags') return 'tags';
  return el.name === 'template' ? 'templates' : 'resources';
}

/** How a configuration splits into scopes: each scope's ids, and what fell to the global scope and why. */
export function splitScopes(configuration: XmlElement, rules: SiteLocalConfig): ScopeSplit {
  const { owner, tickets, fellToGlobal } = classify(configuration, rules);
  const split: ScopeSplit = {
    tickets: Object.fromEntries(tickets.map((t) => [t, emptyContents()])),
    global: { ...emptyContents(), sections: [] },
    siteLocal: { ...emptyContents(), sections: [] },
    fellToGlobal,
  };
  const contentsOf = (o: string) =>
    o === GLOBAL ? split.global : o === SITE_LOCAL ? split.siteLocal : (split.tickets[o] as ScopeContents);
  for (const child of childElements(configuration)) {
    if (ITEM_SECTIONS.includes(child.name)) {
      for (const el of childElements(child))
        contentsOf(owner.get(el) as string)[contentsKey(el, child.name)].push(el.attrs.id ?? el.name);
    } else if (SITE_LOCAL_SECTIONS.has(child.name)) {
      split.siteLocal.sections.push(child.name);
    } else {
      split.global.sections.push(child.name);
      if (child.name === 'crm_config') split.siteLocal.sections.push(child.name);
    }
  }
  return split;
}
