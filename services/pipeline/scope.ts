// Step 4a, for a scoped publication (format 3, docs/architecture.md "Scopes"): whether this site takes
// the scopes it carries, and the candidate: this site's configuration with only those scopes replaced
// by the publication's (every other scope, the site-local parts and whatever this site holds itself
// stay). The splice and verify steps then run on that candidate as on a whole configuration.
import { type Config, scopePlan, ticketOfScope } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import type { Publication } from '../publication/index.js';
import {
  ITEM_SECTIONS,
  mergeScopes,
  type ScopeContents,
  type ScopeSplit,
  SITE_LOCAL_SECTIONS,
  scopeRef,
  splitScopes,
} from '../scopes/index.js';
import { childElements, type XmlElement } from '../xml/index.js';

const GLOBAL = 'global';

/**
 * The tickets whose holders publish the publication's scopes by this site's settings (the ticket
 * step refuses while this site holds one); CIBSYNC_SCOPE_NOT_SUBSCRIBED for a scope it takes from no
 * ticket, or the global scope from a ticket that does not carry it here. Without any ticket setting
 * (a hand import) the publication's own ticket is the one.
 */
export function subscribedTickets(config: Config, publication: Publication): string[] {
  const scopes = publication.scopes ?? [];
  const plan = scopePlan(config);
  if (!plan.scoped && !config.ticket) return publication.ticket ? [publication.ticket] : [];
  const takes = plan.scoped
    ? `${plan.tickets.join(', ')}${plan.globalTicket ? ` (the global scope with ${plan.globalTicket})` : ', not the global scope'}`
    : `${config.ticket} with the global scope`;
  const refuse = (why: string) =>
    new CibsyncError(
      'CIBSYNC_SCOPE_NOT_SUBSCRIBED',
      `the publication from ${publication.site} carries scope ${scopes.join(' + ')}: ${why}; this site takes ${takes} (scopes.tickets, scopes.global)`,
      { scopes, site: publication.site },
    );
  const tickets = scopes.map((name) => {
    const ticket = ticketOfScope(plan, name);
    if (ticket === undefined)
      throw refuse(
        name === GLOBAL
          ? 'this site does not replicate the global scope'
          : `${name} is not a ticket this site replicates`,
      );
    if (name === GLOBAL && scopes[0] !== GLOBAL && ticket !== publication.ticket)
      throw refuse(`here the global scope comes with ticket ${ticket}, not ${publication.ticket}`);
    return ticket;
  });
  return [...new Set(tickets)];
}

const itemsOf = (c: ScopeContents) => [...c.resources, ...c.templates, ...c.constraints, ...c.tags];

/** Where each top-level item falls in a split, by id: a ticket's name, `global` or `site-local`. */
function partsById(split: ScopeSplit): Map<string, string> {
  const where = new Map<string, string>();
  for (const [ticket, c] of Object.entries(split.tickets)) for (const id of itemsOf(c)) where.set(id, ticket);
  for (const id of itemsOf(split.global)) where.set(id, GLOBAL);
  for (const id of itemsOf(split.siteLocal)) where.set(id, 'site-local');
  return where;
}

/** The top-level resources of a scope here (templates are not resources). */
const resourcesOf = (split: ScopeSplit, scope: string) =>
  scope === GLOBAL ? split.global.resources : (split.tickets[scope]?.resources ?? []);

/**
 * This site's configuration with the publication's scopes put in (mergeScopes). Refused when the
 * fragment holds what does not fall in those scopes once in place (CIBSYNC_SCOPE_OUTSIDE), or would
 * remove every resource of a scope that has some here (CIBSYNC_CANDIDATE_EMPTY, unless allowEmpty).
 */
export function scopeCandidate(local: XmlElement, fragment: XmlElement, scopes: string[], config: Config): XmlElement {
  const rules = config.siteLocal;
  const merged = mergeScopes(local, fragment, scopes.map(scopeRef), rules);
  const withGlobal = scopes.includes(GLOBAL);
  const after = splitScopes(merged, rules);
  const where = partsById(after);
  const outside: string[] = [];
  for (const section of childElements(fragment)) {
    if (!ITEM_SECTIONS.includes(section.name)) {
      if (!withGlobal || SITE_LOCAL_SECTIONS.has(section.name)) outside.push(`section ${section.name}`);
      continue;
    }
    for (const item of childElements(section)) {
      const id = item.attrs.id ?? item.name;
      const part = where.get(id);
      if (part === undefined || !scopes.includes(part)) outside.push(`${item.name} ${id} (${part ?? 'unknown'})`);
    }
  }
  if (outside.length > 0)
    throw new CibsyncError(
      'CIBSYNC_SCOPE_OUTSIDE',
      `the publication of scope ${scopes.join(' + ')} carries what is not in that scope here: ${outside.slice(0, 10).join(', ')}${outside.length > 10 ? `, and ${outside.length - 10} more` : ''}`,
      { scopes, outside },
    );
  if (!config.allowEmpty) {
    const before = splitScopes(local, rules);
    const emptied = scopes.filter((s) => resourcesOf(before, s).length > 0 && resourcesOf(after, s).length === 0);
    if (emptied.length > 0)
      throw new CibsyncError(
        'CIBSYNC_CANDIDATE_EMPTY',
        `the publication would remove all ${resourcesOf(before, emptied[0] as string).length} resources of scope ${emptied[0]} here; refused (use --allow-empty if that is intended)`,
        { scopes },
      );
  }
  return merged;
}
