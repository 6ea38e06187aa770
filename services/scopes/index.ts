// Ticket scopes (issue 9): how a configuration splits into one scope per ticket, the global scope and
// the site-local parts; one scope as a fragment; one scope put into a local configuration.
// Pure functions over a `<configuration>` element: no Pacemaker tool runs here.
export { splitScopes, type FellToGlobal, type ScopeContents, type ScopeRef, type ScopeSplit } from './split.js';
export { extractScope, siteLocalPart } from './extract.js';
export { mergeScope } from './merge.js';
