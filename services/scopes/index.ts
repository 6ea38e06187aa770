// Ticket scopes (issue 9): how a configuration splits into one scope per ticket, the global scope and
// the site-local parts; one scope as a fragment; one scope put into a local configuration.
// Pure functions over a `<configuration>` element: no Pacemaker tool runs here.

export { extractScope, siteLocalPart } from './extract.js';
export { mergeScope } from './merge.js';
export { type FellToGlobal, type ScopeContents, type ScopeRef, type ScopeSplit, splitScopes } from './split.js';
