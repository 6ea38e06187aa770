// The TICKET argument of `cibsync takeover plan|grant|ready` (its own file: the subcommands import it,
// and the takeover command loads the subcommands).
import type { Config } from '../config/index.js';
import { CibsyncError } from '../errors.js';

/** A subcommand's TICKET: the one argument, or the `ticket` setting of --config. */
export function ticketOf(positionals: string[], config: Config, usage: string): string {
  if (positionals.length > 1)
    throw new CibsyncError('CIBSYNC_USAGE', `one TICKET at most, got ${positionals.length}\nusage: ${usage}`);
  const ticket = positionals[0] ?? config.ticket;
  if (!ticket) throw new CibsyncError('CIBSYNC_USAGE', `give TICKET, or --config with a ticket\nusage: ${usage}`);
  return ticket;
}
