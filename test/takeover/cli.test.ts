// `cibsync takeover`: its subcommands come from one table, each with its own usage and options.
import { describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../services/cli/takeover.js';
import { cli } from '../helpers/sites.js';

describe('cibsync takeover', () => {
  it('lists its subcommands; each shows its usage and options', () => {
    const top = cli(['takeover', '--help']);
    expect(top.code, top.stderr).toBe(0);
    for (const [name, entry] of Object.entries(SUBCOMMANDS)) {
      expect(top.stdout).toContain(`  ${name}`);
      expect(top.stdout).toContain(entry.summary);
      const r = cli(['takeover', name, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: cibsync takeover ${name}\\b`, 'm'));
      expect(r.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
    }
    expect(cli(['takeover', 'grant', '--help']).stdout).toMatch(/^ +--confirm +grant although/m);
  });

  it('refuses an unknown subcommand and a missing one as usage errors', () => {
    const unknown = cli(['takeover', 'seize']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("CIBSYNC_USAGE: unknown subcommand 'takeover seize'");
    expect(cli(['takeover']).code).toBe(2);
  });

  it('each subcommand takes one TICKET at most, and refuses a second before it asks anything', () => {
    for (const name of Object.keys(SUBCOMMANDS)) {
      const r = cli(['takeover', name, 'ticketA', 'ticketB', '--socket', '/nonexistent/cibsync.sock']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('CIBSYNC_USAGE: one TICKET at most, got 2');
    }
  });
});
