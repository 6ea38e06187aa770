// A scoped publication (format 3) through the real CLI on file CIBs: site A holds ticket-db (which
// carries the global scope), site B holds ticket-web. B takes A's ticket-db scope and the global
// scope, replacing only those; what B must not take is refused with a stable code and B's CIB
// byte-identical.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPublication, sealPublication, serializePublication } from '../../services/publication/index.js';
import { element, firstChild, type XmlElement } from '../../services/xml/index.js';
import { exportFrom } from '../helpers/import.js';
import { trustSettings } from '../helpers/signing.js';
import { type CliResult, cli, type Site } from '../helpers/sites.js';
import { configurationOfSite, parts, scopeSite } from '../scopes/helpers.js';

const SCOPES = { tickets: ['ticket-db', 'ticket-web'], global: 'ticket-db' };
let a: Site;
let b: Site;

beforeEach(() => {
  a = scopeSite('two-tickets.xml');
  b = scopeSite('two-tickets-b.xml');
  a.tool('crm_ticket', ['--ticket', 'ticket-db', '--grant', '--force']);
  b.tool('crm_ticket', ['--ticket', 'ticket-web', '--grant', '--force']);
});
afterEach(() => {
  a.cleanup();
  b.cleanup();
});

const configurationOf = configurationOfSite;

/** `cibsync import` at B with B's scope settings (and more settings when given). */
function importAtB(file: string, settings: Record<string, unknown> = {}): CliResult {
  const config = join(b.dir, 'cibsync.json');
  writeFileSync(config, JSON.stringify({ site: 'siteB', scopes: SCOPES, trust: trustSettings(), ...settings }));
  return cli(['import', file, '--config', config, '--state-dir', b.stateDir], { cibFile: b.cibFile });
}

/** Runs an import that must be refused with `code`, and checks that B's CIB file did not change by a byte. */
function refusedUntouched(file: string, code: string, settings?: Record<string, unknown>): CliResult {
  const before = b.hash();
  const r = importAtB(file, settings);
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toContain(code);
  expect(b.hash()).toBe(before);
  return r;
}

describe('a scoped publication', () => {
  it('names its scopes (format 3): the ticket, with global when the ticket carries it', () => {
    const file = exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-db', '--config', settingsFile(a)]);
    const p = readPublication(readFileSync(file, 'utf8'));
    expect(p.scopes).toEqual(['ticket-db', 'global']);
    expect(p.ticket).toBe('ticket-db');
    expect(readFileSync(file, 'utf8')).toMatch(/format="3"/);
    const web = readPublication(
      readFileSync(
        exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-web', '--ignore-ticket', '--config', settingsFile(a)]),
        'utf8',
      ),
    );
    expect(web.scopes).toEqual(['ticket-web']);
    expect(web.nodeAttributes).toEqual({});
  });

  it("B takes A's ticket-db scope and the global scope; its web scope and site-local parts stay; again: nothing written", () => {
    const before = parts(configurationOf(b));
    const file = exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-db', '--config', settingsFile(a)]);
    const r = importAtB(file);
    expect(r.code, r.stderr).toBe(0);
    const after = parts(configurationOf(b));
    const source = parts(configurationOf(a));
    expect(after['ticket ticket-db']).toBe(source['ticket ticket-db']);
    expect(after.global).toBe(source.global);
    expect(after['ticket ticket-web']).toBe(before['ticket ticket-web']);
    expect(after['site-local']).toBe(before['site-local']);
    const written = b.hash();
    const again = importAtB(file);
    expect(again.code, again.stderr).toBe(0);
    expect(b.hash()).toBe(written);
  });

  it('refused: a publication for a ticket this site holds (CIBSYNC_LOCAL_HOLDS_TICKET)', () => {
    const file = exportFrom(a, [
      '--site',
      'siteA',
      '--scope',
      'ticket-web',
      '--ignore-ticket',
      '--config',
      settingsFile(a),
    ]);
    refusedUntouched(file, 'CIBSYNC_LOCAL_HOLDS_TICKET');
  });

  it('refused: a scope this site does not take (CIBSYNC_SCOPE_NOT_SUBSCRIBED)', () => {
    // A ticket B does not replicate.
    const other = exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-other', '--ignore-ticket']);
    expect(refusedUntouched(other, 'CIBSYNC_SCOPE_NOT_SUBSCRIBED').stderr).toMatch(
      /ticket-other is not a ticket this site replicates/,
    );
    // The global scope from a ticket that does not carry it at B.
    const withGlobal = exportFrom(a, [
      '--site',
      'siteA',
      '--scope',
      'ticket-web',
      '--ignore-ticket',
      '--config',
      settingsFile(a, { tickets: SCOPES.tickets, global: 'ticket-web' }),
    ]);
    expect(refusedUntouched(withGlobal, 'CIBSYNC_SCOPE_NOT_SUBSCRIBED').stderr).toMatch(
      /here the global scope comes with ticket ticket-db, not ticket-web/,
    );
    // The global scope at a site that does not replicate it.
    const db = exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-db', '--config', settingsFile(a)]);
    refusedUntouched(db, 'CIBSYNC_SCOPE_NOT_SUBSCRIBED', { scopes: { ...SCOPES, global: 'none' } });
  });

  it('refused: a scoped publication carrying a resource outside its scope (CIBSYNC_SCOPE_OUTSIDE)', async () => {
    const dbOnly = settingsFile(a, { ...SCOPES, global: 'none' });
    const file = exportFrom(a, ['--site', 'siteA', '--scope', 'ticket-db', '--config', dbOnly]);
    const p = readPublication(readFileSync(file, 'utf8'));
    expect(p.scopes).toEqual(['ticket-db']);
    const resources = firstChild(p.configuration, 'resources') as XmlElement;
    resources.children.push(
      element('primitive', { id: 'stowaway', class: 'ocf', provider: 'pacemaker', type: 'Dummy' }),
    );
    // An unbound resource is global: carried by a publication of ticket-db alone, it is outside its scope.
    const { digest: _d, signature: _s, ...rest } = p;
    const forged = join(a.dir, 'forged.xml');
    writeFileSync(forged, serializePublication(sealPublication(rest)));
    const r = refusedUntouched(forged, 'CIBSYNC_SCOPE_OUTSIDE', { trust: trustSettings({ allowUnsigned: true }) });
    expect(r.stderr).toMatch(/primitive stowaway \(global\)/);
  });
});

/** A settings file for site A with its scope settings (B's, unless given). */
function settingsFile(site: Site, scopes: Record<string, unknown> = SCOPES): string {
  const file = join(site.dir, `scopes-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ scopes }));
  return file;
}
