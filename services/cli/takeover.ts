// `cibsync takeover SUBCOMMAND`: the failover moment at a standby site. One file per subcommand,
// loaded only when used; a new subcommand is one row of TAKEOVER_SUBCOMMANDS.
import { CibsyncError, EXIT } from '../errors.js';
import type { Command } from './command.js';

export const TAKEOVER_SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  plan: {
    summary: 'what granting the ticket here would do, and how fresh the replica is',
    load: async () => (await import('./takeover-plan.js')).default,
  },
  grant: {
    summary: 'grant the ticket here (booth grant, or crm_ticket when booth does not manage it)',
    load: async () => (await import('./takeover-grant.js')).default,
  },
};

function listing(): string {
  const width = Math.max(...Object.keys(TAKEOVER_SUBCOMMANDS).map((n) => n.length));
  return Object.entries(TAKEOVER_SUBCOMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
}

const command: Command = {
  name: 'takeover',
  summary: 'Take over at a standby site: see what granting the ticket here would do, then grant it.',
  usage: `cibsync takeover ${Object.keys(TAKEOVER_SUBCOMMANDS).join('|')} [TICKET] [options]`,
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(
        `${this.summary}\n\nusage: ${this.usage}   (cibsync takeover <subcommand> --help for its options)\n\nsubcommands:\n${listing()}\n`,
      );
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const entry = TAKEOVER_SUBCOMMANDS[name];
    if (!entry) throw new CibsyncError('CIBSYNC_USAGE', `unknown takeover subcommand '${name}'\nusage: ${this.usage}`);
    return (await entry.load()).run(rest);
  },
};
export default command;
