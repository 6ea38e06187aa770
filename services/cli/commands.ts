// The subcommand table: one file per subcommand, loaded only when used.
import type { Command } from './command.js';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  export: {
    summary: 'write the publication of the local CIB',
    load: async () => (await import('./export.js')).default,
  },
  import: {
    summary: "run the subscriber's pipeline on a publication file",
    load: async () => (await import('./import.js')).default,
  },
  transform: {
    summary: 'test, run, scaffold and lint site transforms',
    load: async () => (await import('./transform.js')).default,
  },
  plan: {
    summary: 'manual approval: show, approve, edit or reject a plan; dry-run a publication',
    load: async () => (await import('./plan.js')).default,
  },
  rollback: {
    summary: 'restore a configuration backup taken before an apply, and hold',
    load: async () => (await import('./rollback.js')).default,
  },
  hold: {
    summary: 'put replication on hold: nothing from the source is applied until resume',
    load: async () => (await import('./hold.js')).default,
  },
  resume: {
    summary: 'lift the hold: the subscriber follows the source again',
    load: async () => (await import('./resume.js')).default,
  },
  certs: {
    summary: 'create the cluster CA, issue and show daemon certificates',
    load: async () => (await import('./certs.js')).default,
  },
  publisher: {
    summary: 'run the publisher daemon (HTTPS, mutual TLS)',
    load: async () => (await import('./publisher.js')).default,
  },
  subscriber: {
    summary: 'run the subscriber daemon (follows the publishers, applies)',
    load: async () => (await import('./subscriber.js')).default,
  },
  'replicate-now': {
    summary: 'make the subscriber fetch and apply now; prints the outcome',
    load: async () => (await import('./replicate-now.js')).default,
  },
  scopes: {
    summary: 'show how the local configuration splits into ticket scopes, global and site-local',
    load: async () => (await import('./scopes.js')).default,
  },
  takeover: {
    summary:
      'the failover path: what granting the ticket here would do (plan), grant it (grant), is this site ready (ready: booth asks)',
    load: async () => (await import('./takeover.js')).default,
  },
  sites: {
    summary: 'at the ticket holder: every site, what it publishes or applied, its lag, last error and verdict',
    load: async () => (await import('./sites.js')).default,
  },
  status: {
    summary: "show the subscriber's last applied publication, lag and last error",
    load: async () => (await import('./status.js')).default,
  },
};
