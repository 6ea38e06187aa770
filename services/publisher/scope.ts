// What one publication carries under the scopes settings (docs/architecture.md, "Scopes"): the
// publisher daemon and `cibsync export` build theirs from the same answer.
import { type Config, GLOBAL_SCOPE, type ScopePlan, scopesOfTicket } from '../config/index.js';
import { CibsyncError } from '../errors.js';
import type { BuildOptions } from '../publication/build.js';
import { extractScopes, scopeRef } from '../scopes/index.js';

/** The ticket a publication of `scope` (a ticket's name, or `global`) is checked against, and what it carries. */
export function scopedBuild(
  config: Pick<Config, 'siteLocal'>,
  plan: ScopePlan,
  scope: string,
): Required<Pick<BuildOptions, 'ticket' | 'scope'>> {
  if (scope === GLOBAL_SCOPE && plan.scoped && plan.globalTicket === undefined)
    throw new CibsyncError('CIBSYNC_USAGE', "scopes.global is 'none': the global scope is not replicated");
  if (plan.scoped && scope !== GLOBAL_SCOPE && !plan.tickets.includes(scope))
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      `${scope} is not a scope this site replicates: name one of ${[...plan.tickets, GLOBAL_SCOPE].join(', ')}`,
    );
  const names = scope === GLOBAL_SCOPE ? [GLOBAL_SCOPE] : scopesOfTicket(plan, scope);
  return {
    ticket: scope === GLOBAL_SCOPE ? (plan.globalTicket ?? '') : scope,
    scope: { names, extract: (configuration) => extractScopes(configuration, config.siteLocal, names.map(scopeRef)) },
  };
}
