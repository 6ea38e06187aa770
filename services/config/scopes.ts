// Which scopes a site publishes and takes (issue 9, docs/architecture.md "Scopes"): read from the
// scopes.* settings. Without scopes.tickets the whole configuration follows `ticket`, as before.
import { CibsyncError } from '../errors.js';
import { type Config, GLOBAL_SCOPE, NO_GLOBAL } from './schema.js';

export interface ScopePlan {
  /** Replication by ticket scope (scopes.tickets set); false: the whole configuration follows `ticket`. */
  scoped: boolean;
  /** The tickets whose scopes are replicated (scoped), or `ticket` alone. */
  tickets: string[];
  /** The ticket whose publication also carries the global scope; undefined: the global scope is not replicated. */
  globalTicket: string | undefined;
}

/** The settings' scope plan; throws CIBSYNC_CONFIG_INVALID (prefixed with `origin`) when the scopes settings disagree. */
export function scopePlan(config: Pick<Config, 'ticket' | 'scopes'>, origin = 'settings'): ScopePlan {
  const { tickets, global } = config.scopes;
  const invalid = (why: string) => new CibsyncError('CIBSYNC_CONFIG_INVALID', `${origin}: ${why}`);
  if (tickets.length === 0) {
    if (global !== '') throw invalid('scopes.global needs scopes.tickets');
    return { scoped: false, tickets: config.ticket ? [config.ticket] : [], globalTicket: config.ticket };
  }
  const twice = tickets.filter((t, i) => tickets.indexOf(t) !== i);
  if (twice.length > 0) throw invalid(`scopes.tickets lists ${twice.join(', ')} more than once`);
  if (global !== NO_GLOBAL && !tickets.includes(global))
    throw invalid(
      `scopes.global must be one of scopes.tickets (${tickets.join(', ')}) or '${NO_GLOBAL}', got ${JSON.stringify(global)}`,
    );
  if (config.ticket && !tickets.includes(config.ticket))
    throw invalid(`ticket ${config.ticket} is not one of scopes.tickets (${tickets.join(', ')})`);
  return { scoped: true, tickets: [...tickets], globalTicket: global === NO_GLOBAL ? undefined : global };
}

/** The scopes the publication of `ticket` carries, by name: the ticket's own, then `global` when it carries that too. */
export function scopesOfTicket(plan: ScopePlan, ticket: string): string[] {
  return plan.globalTicket === ticket ? [ticket, GLOBAL_SCOPE] : [ticket];
}

/** The ticket whose holder publishes a scope (by name: a ticket, or `global`); undefined: nobody's. */
export function ticketOfScope(plan: ScopePlan, scope: string): string | undefined {
  return scope === GLOBAL_SCOPE ? plan.globalTicket : plan.tickets.includes(scope) ? scope : undefined;
}
