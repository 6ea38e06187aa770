// The import checks the ticket this site is configured with, not the one a publication claims, and
// fails closed: a ticket query that fails refuses the import (and stops the daemon's gate).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/log.js';
import { Pacemaker, type TicketState } from '../../services/pacemaker/index.js';
import { TicketGate } from '../../services/watch/ticket-gate.js';
import { importArgs, runCli } from '../faults/apply-helpers.js';
import { exportFrom, useSitesAB } from '../helpers/import.js';

const sites = useSitesAB();

async function refusedUntouched(pub: string, code: string, env: NodeJS.ProcessEnv = {}) {
  const before = sites.b.hash();
  const run = await runCli(importArgs(sites.b, pub), { cibFile: sites.b.cibFile, env });
  expect(run.stderr).toContain(`cibsync: ${code}:`);
  expect(run.code).toBe(6);
  expect(sites.b.hash()).toBe(before);
  return run;
}

describe('the import checks the configured ticket', () => {
  it('refuses a publication naming no ticket while this site holds the configured one', async () => {
    sites.b.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
    const run = await refusedUntouched(exportFrom(sites.a, []), 'CIBSYNC_LOCAL_HOLDS_TICKET');
    expect(run.stderr).toMatch(/holds ticket ticketA/);
  });

  it('refuses a publication naming another ticket while this site holds the configured one', async () => {
    sites.a.tool('crm_ticket', ['--ticket', 'ticketX', '--grant', '--force']);
    sites.b.tool('crm_ticket', ['--ticket', 'ticketA', '--grant', '--force']);
    await refusedUntouched(exportFrom(sites.a, ['--ticket', 'ticketX']), 'CIBSYNC_LOCAL_HOLDS_TICKET');
  });

  it('refuses with CIBSYNC_TICKET_QUERY_FAILED when the ticket cannot be read (fails closed)', async () => {
    const bin = join(sites.b.dir, 'broken-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'crm_ticket'), '#!/bin/sh\necho "crm_ticket: Could not connect to the CIB" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const run = await refusedUntouched(exportFrom(sites.a, []), 'CIBSYNC_TICKET_QUERY_FAILED', {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(run.stderr).toMatch(/cannot tell whether this site holds ticket ticketA/);
  });
});

describe('the ticket gate', () => {
  it('answers "unknown", not "free to apply", when the query fails', async () => {
    const failing = new (class extends Pacemaker {
      override async ticket(): Promise<TicketState> {
        throw new Error('boom');
      }
    })({ cibFile: sites.b.cibFile });
    const verdict = await new TicketGate(failing, 'ticketA', 0, silentLogger).check();
    expect(verdict).toMatchObject({ held: false, unknown: true, reason: 'CIBSYNC_INTERNAL' });
  });
});
