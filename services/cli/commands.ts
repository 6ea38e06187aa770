// The subcommand table: one file per subcommand, loaded only when used.
import type { Command } from './command.js';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  export: { summary: 'write the publication of the local CIB', load: async () => (await import('./export.js')).default },
  import: { summary: "run the subscriber's pipeline on a publication file", load: async () => (await import('./import.js')).default },
  transform: { summary: 'test, run, scaffold and lint site transforms', load: async () => (await import('./transform.js')).default },
  rollback: { summary: 'restore a configuration backup taken before an apply', load: async () => (await import('./rollback.js')).default },
};
