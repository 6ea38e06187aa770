// `cibsync takeover SUBCOMMAND`: the failover path. One file per subcommand, loaded only when used;
// this table and their TICKET argument (takeover-ticket.ts) are all they share (a new subcommand is one row).
import { CibsyncError, EXIT } from '../errors.js';
import type { Command } from './command.js';

export const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  plan: {
    summary: 'what granting the ticket here would do, and how fresh the replica is',
    load: async () => (await import('./takeover-plan.js')).default,
  },
  grant: {
    summary: 'grant the ticket here (booth grant, or crm_ticket when booth does not manage it)',
    load: async () => (await import('./takeover-grant.js')).default,
  },
  ready: {
    summary: "is this site's replica ready for it to take the ticket? (booth's before-acquire handler asks)",
    load: async () => (await import('./takeover-ready.js')).default,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: cibsync takeover <subcommand> [options]   (cibsync takeover <subcommand> --help)\n\nsubcommands:\n${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'takeover',
  summary:
    'The failover path: what granting the ticket here would do, granting it, and whether this site is ready for it.',
  usage: 'cibsync takeover <subcommand> [options]',
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(`${this.summary}\n\n${usage()}`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const entry = SUBCOMMANDS[name];
    if (!entry) throw new CibsyncError('CIBSYNC_USAGE', `unknown subcommand 'takeover ${name}'\n\n${usage()}`);
    return (await entry.load()).run(rest);
  },
};
export default command;
