// Extracting one scope and putting it into a local configuration (what a subscriber of that scope will
// do): only that scope changes; every other scope and the site-local parts stay as they were.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CibsyncError } from '../../services/errors.js';
import { extractScope, mergeScope, type ScopeRef, siteLocalPart, splitScopes } from '../../services/scopes/index.js';
import {
  canonical,
  childElements,
  firstChild,
  parseXml,
  serialize,
  type XmlElement,
} from '../../services/xml/index.js';
import { tempDir } from '../helpers/sites.js';
import { fixture, fixturePath, itemsInOrder, parts, rules } from './helpers.js';

const a = fixture('two-tickets.xml');
const b = fixture('two-tickets-b.xml');

/** Every scope of a configuration, in turn, as a ScopeRef. */
const scopesOf = (c: XmlElement): ScopeRef[] => [
  'global',
  ...Object.keys(splitScopes(c, rules).tickets).map((ticket) => ({ ticket })),
];
const nameOf = (s: ScopeRef) => (s === 'global' ? 'global' : `ticket ${s.ticket}`);

/** crm_verify's exit status for site B's CIB file with `configuration` in it. */
function verifyAtB(configuration: XmlElement): { status: number | null; stderr: string } {
  const cib = parseXml(readFileSync(fixturePath('two-tickets-b.xml'), 'utf8'));
  cib.children = cib.children.map((ch) => (ch.kind === 'element' && ch.name === 'configuration' ? configuration : ch));
  const file = join(tempDir(), 'cib.xml');
  writeFileSync(file, serialize(cib));
  const r = spawnSync('crm_verify', ['--xml-file', file, '-V'], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('mergeScope', () => {
  it.each(scopesOf(a).map((s) => [nameOf(s), s] as const))(
    "A's %s scope into site B: that scope becomes A's, everything else stays B's",
    (name, scope) => {
      const before = parts(b);
      const merged = mergeScope(b, extractScope(a, rules, scope), scope, rules);
      const after = parts(merged);
      for (const part of Object.keys(before)) {
        if (part === name) expect(after[part]).toBe(parts(a)[part]);
        else expect(after[part], part).toBe(before[part]);
      }
      // A's global scope holds web-with-db, which spans both scopes and names db-ip, which B does not have yet (below).
      if (scope !== 'global') expect(verifyAtB(merged)).toEqual({ status: 0, stderr: '' });
    },
  );

  it('a constraint across scopes travels with the global scope and may name a resource the site does not have yet', () => {
    const merged = mergeScope(b, extractScope(a, rules, 'global'), 'global', rules);
    expect(verifyAtB(merged).stderr).toMatch(/db-ip/);
    expect(splitScopes(merged, rules).fellToGlobal).toContainEqual({
      kind: 'constraint',
      id: 'web-with-db',
      reason: 'names db-ip, not a resource, template or tag of this configuration',
      owners: ['global', 'ticket-web'],
    });
    // With A's db scope too, B is whole again.
    const both = mergeScope(merged, extractScope(a, rules, { ticket: 'ticket-db' }), { ticket: 'ticket-db' }, rules);
    expect(verifyAtB(both)).toEqual({ status: 0, stderr: '' });
  });

  it("site B's web scope into A replaces A's web server setting, keeps A's db scope, fencing and cluster name", () => {
    const merged = mergeScope(a, extractScope(b, rules, { ticket: 'ticket-web' }), { ticket: 'ticket-web' }, rules);
    const text = serialize(merged);
    expect(text).toContain('/run/web-9090');
    expect(text).not.toContain('/run/web-8080');
    expect(text).toContain('value="siteA"');
    expect(text).toContain('fence-a');
    expect(text).toContain('db-ip-before-db');
  });

  it("the global scope keeps the site's cluster-owned properties and takes the others", () => {
    const merged = mergeScope(b, extractScope(a, rules, 'global'), 'global', rules);
    const props = childElements(childElements(firstChild(merged, 'crm_config') as XmlElement)[0] as XmlElement).map(
      (nv) => `${nv.attrs.name}=${nv.attrs.value}`,
    );
    expect(props).toEqual(['cluster-name=siteB', 'stonith-enabled=true', 'no-quorum-policy=stop']);
    expect(serialize(merged)).toContain('name="resource-stickiness" value="100"');
  });

  it.each(['naming.xml', 'two-tickets.xml', 'two-tickets-b.xml'])(
    '%s: merging each of its own scopes back changes nothing',
    (name) => {
      const c = fixture(name);
      for (const scope of scopesOf(c))
        expect(canonical(mergeScope(c, extractScope(c, rules, scope), scope, rules)), nameOf(scope)).toBe(canonical(c));
    },
  );

  it.each(['naming.xml', 'two-tickets.xml', 'two-tickets-b.xml'])(
    '%s: the site-local part and every scope rebuild it (each item exactly, new scopes appended)',
    (name) => {
      const c = fixture(name);
      let rebuilt = siteLocalPart(c, rules);
      for (const scope of scopesOf(c)) rebuilt = mergeScope(rebuilt, extractScope(c, rules, scope), scope, rules);
      expect(itemsInOrder(rebuilt)).toBe(itemsInOrder(c));
    },
  );

  it('an empty scope removes that scope and nothing else; a <tags> section left without a tag goes', () => {
    const c = fixture('naming.xml');
    const merged = mergeScope(c, parseXml('<configuration/>'), { ticket: 'ticket-batch' }, rules);
    expect(splitScopes(merged, rules).tickets['ticket-batch']).toBeUndefined();
    for (const [part, text] of Object.entries(parts(c)))
      if (part !== 'ticket ticket-batch') expect(parts(merged)[part]).toBe(text);
    const none = mergeScope(merged, parseXml('<configuration/>'), 'global', rules);
    expect(firstChild(none, 'tags')).toBeUndefined();
    expect(firstChild(none, 'rsc_defaults')).toBeUndefined();
    expect(serialize(firstChild(none, 'crm_config') as XmlElement)).toContain('cluster-name');
  });

  it('refuses a scope whose ids the configuration uses elsewhere (CIBSYNC_SCOPE_ID_CONFLICT), leaving it as it was', () => {
    const fragment = extractScope(a, rules, { ticket: 'ticket-db' });
    (firstChild(fragment, 'resources') as XmlElement).children.push(
      parseXml('<primitive id="b-backup" class="ocf" provider="pacemaker" type="Dummy"/>'),
    );
    const before = serialize(b);
    let error: unknown;
    try {
      mergeScope(b, fragment, { ticket: 'ticket-db' }, rules);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CibsyncError);
    expect((error as CibsyncError).code).toBe('CIBSYNC_SCOPE_ID_CONFLICT');
    expect((error as CibsyncError).message).toContain('b-backup');
    expect(serialize(b)).toBe(before);
  });
});
