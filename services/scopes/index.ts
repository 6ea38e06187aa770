// Ticket scopes (issue 9): how a configuration splits into one scope per ticket, the global scope and
// the site-local parts; one scope as a fragment; one scope put into a local configuration.
// Pure functions over a `<configuration>` element: no Pacemaker tool runs here.

export { extractScope, extractScopes, siteLocalPart } from './extract.js';
export { mergeScope, mergeScopes } from './merge.js';
export {
  type FellToGlobal,
  ITEM_SECTIONS,
  type ScopeContents,
  type ScopeRef,
  type ScopeSplit,
  SITE_LOCAL_SECTIONS,
  scopeName,
  scopeRef,
  splitScopes,
} from './split.js';
