// The scope rules on hand-written configurations (test/fixtures/scopes, each crm_verify-clean):
// every way an rsc_ticket can name a resource, and everything that falls to the global scope.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ScopeSplit, splitScopes } from '../../services/scopes/index.js';
import { childElements, firstChild, parseXml, serialize, type XmlElement } from '../../services/xml/index.js';
import { tempDir } from '../helpers/sites.js';
import { fixture, fixturePath, rules } from './helpers.js';

const naming = fixture('naming.xml');
const split = splitScopes(naming, rules);

/** The owner of a top-level id in a split: a ticket, `global` or `site-local`. */
function ownerOf(s: ScopeSplit, id: string): string[] {
  const owners: string[] = [];
  const has = (c: { resources: string[]; templates: string[]; constraints: string[]; tags: string[] }) =>
    [...c.resources, ...c.templates, ...c.constraints, ...c.tags].includes(id);
  for (const [t, c] of Object.entries(s.tickets)) if (has(c)) owners.push(t);
  if (has(s.global)) owners.push('global');
  if (has(s.siteLocal)) owners.push('site-local');
  return owners;
}

/** The fixture with one constraint replaced, as a configuration. */
function withConstraint(configuration: XmlElement, id: string, xml: string): XmlElement {
  const copy = parseXml(serialize(configuration));
  const constraints = firstChild(copy, 'constraints') as XmlElement;
  const at = constraints.children.findIndex((c) => c.kind === 'element' && c.attrs.id === id);
  constraints.children.splice(at, 1, parseXml(xml));
  return copy;
}

describe('scope rules: how an rsc_ticket names a resource', () => {
  it('the fixture is a clean CIB', () => {
    expect(spawnSync('crm_verify', ['--xml-file', fixturePath('naming.xml')]).status).toBe(0);
  });

  it('lists one scope per ticket', () => {
    expect(Object.keys(split.tickets)).toEqual(['ticket-batch', 'ticket-db', 'ticket-web']);
  });

  it.each([
    ['a primitive by rsc', 'db-vip', 'ticket-db'],
    ['a group member (the whole group belongs)', 'g-db', 'ticket-db'],
    ['a clone by rsc', 'web-clone', 'ticket-web'],
    ['a promotable clone by rsc', 'cache-clone', 'ticket-web'],
    ['a bundle through a resource set', 'web-bundle', 'ticket-web'],
    ['a primitive through a resource set', 'web-helper', 'ticket-web'],
    ['a template: every primitive using it', 'worker-1', 'ticket-batch'],
    ['a template: every primitive using it', 'worker-2', 'ticket-batch'],
    ['a tag: everything it names', 'report-1', 'ticket-batch'],
    ['a tag: everything it names', 'report-2', 'ticket-batch'],
  ])('%s: %s is in %s', (_how, id, ticket) => {
    expect(ownerOf(split, id)).toEqual([ticket]);
  });

  it('a group member never appears alone: only top-level elements are listed', () => {
    expect(Object.values(split.tickets).flatMap((c) => c.resources)).not.toContain('db-server');
  });

  it('a template or tag used only by one scope comes with it', () => {
    expect(split.tickets['ticket-batch']).toMatchObject({ templates: ['tpl-worker'], tags: ['tag-reports'] });
  });

  it("the scope holds the ticket's rsc_ticket constraints and the constraints all of whose resources are in it", () => {
    expect(split.tickets['ticket-db']?.constraints).toEqual([
      'db-vip-needs-db',
      'db-server-needs-db',
      'db-helper-needs-db',
      'vip-before-db',
    ]);
    expect(split.tickets['ticket-batch']?.constraints).toEqual([
      'workers-need-batch',
      'reports-need-batch',
      'reports-together',
    ]);
  });

  it('a clone child named by an rsc_ticket binds the whole clone (Pacemaker itself refuses such a reference)', () => {
    const c = withConstraint(
      naming,
      'web-clone-needs-web',
      '<rsc_ticket id="web-server-needs-web" rsc="web-server" ticket="ticket-web" loss-policy="stop"/>',
    );
    const s = splitScopes(c, rules);
    expect(ownerOf(s, 'web-clone')).toEqual(['ticket-web']);
    expect(ownerOf(s, 'web-server-needs-web')).toEqual(['ticket-web']);
    // What crm_verify (Pacemaker 2.1) says of it: the scope rules stay on the safe side and bind the clone.
    const dir = tempDir();
    const cib = parseXml(readFileSync(fixturePath('naming.xml'), 'utf8'));
    cib.children = cib.children.map((ch) => (ch.kind === 'element' && ch.name === 'configuration' ? c : ch));
    writeFileSync(join(dir, 'cib.xml'), serialize(cib));
    const verify = spawnSync('crm_verify', ['--xml-file', join(dir, 'cib.xml'), '-V'], { encoding: 'utf8' });
    expect(verify.stderr).toMatch(/web-server' is not a valid resource or tag/);
  });

  it('a location constraint by rsc-pattern names every top-level resource the pattern matches', () => {
    const inDb = withConstraint(
      naming,
      'monitor-on-a1',
      '<rsc_location id="db-pattern" rsc-pattern="^db-" node="a1" score="10"/>',
    );
    expect(ownerOf(splitScopes(inDb, rules), 'db-pattern')).toEqual(['ticket-db']);
    const across = withConstraint(
      naming,
      'monitor-on-a1',
      '<rsc_location id="any-pattern" rsc-pattern="-" node="a1" score="10"/>',
    );
    expect(splitScopes(across, rules).fellToGlobal.map((f) => f.id)).toContain('any-pattern');
  });
});

describe('scope rules: what falls to the global scope, named with the reason', () => {
  const fell = Object.fromEntries(split.fellToGlobal.map((f) => [`${f.kind} ${f.id}`, f.reason]));

  it('a resource bound to two tickets', () => {
    expect(ownerOf(split, 'shared-cache')).toEqual(['global']);
    expect(fell['resource shared-cache']).toBe('bound to tickets ticket-db and ticket-web');
    // Its rsc_ticket constraints follow it, and say so.
    expect(ownerOf(split, 'shared-cache-needs-db')).toEqual(['global']);
    expect(fell['constraint shared-cache-needs-db']).toBe("ticket ticket-db's resources all fell to global");
  });

  it('a constraint across two scopes', () => {
    expect(ownerOf(split, 'db-with-web')).toEqual(['global']);
    expect(fell['constraint db-with-web']).toBe('spans scopes ticket-db and ticket-web');
  });

  it('a template shared by two scopes; its primitives stay in their own scopes', () => {
    expect(ownerOf(split, 'tpl-shared')).toEqual(['global']);
    expect(fell['template tpl-shared']).toBe('shared by ticket-db and ticket-web');
    expect(ownerOf(split, 'db-helper')).toEqual(['ticket-db']);
    expect(ownerOf(split, 'web-helper')).toEqual(['ticket-web']);
  });

  it('a tag shared by two scopes', () => {
    expect(ownerOf(split, 'tag-frontends')).toEqual(['global']);
    expect(fell['tag tag-frontends']).toBe('shared by ticket-db and ticket-web');
  });

  it('nothing else is reported: a resource bound to no ticket is global without a reason', () => {
    expect(ownerOf(split, 'monitor-agent')).toEqual(['global']);
    expect(Object.keys(fell).sort()).toEqual([
      'constraint db-with-web',
      'constraint shared-cache-needs-db',
      'constraint shared-cache-needs-web',
      'resource shared-cache',
      'tag tag-frontends',
      'template tpl-shared',
    ]);
  });

  it('the global scope holds the cluster properties and defaults; the site-local part nodes, fencing and cluster-owned properties', () => {
    expect(split.global.sections).toEqual(['crm_config', 'rsc_defaults']);
    expect(split.siteLocal).toEqual({
      resources: ['fence-a'],
      templates: [],
      constraints: ['fence-a-avoids-a1'],
      tags: [],
      sections: ['crm_config', 'nodes'],
    });
  });

  it('a tag naming a tag passes its scope on; shared nested tags fall to global', () => {
    const c = parseXml(serialize(naming));
    const tags = firstChild(c, 'tags') as XmlElement;
    tags.children.push(
      parseXml('<tag id="tag-batch"><obj_ref id="tag-reports"/><obj_ref id="worker-1"/></tag>'),
      parseXml('<tag id="tag-everything"><obj_ref id="tag-batch"/><obj_ref id="db-vip"/></tag>'),
    );
    const s = splitScopes(c, rules);
    expect(ownerOf(s, 'tag-everything')).toEqual(['global']);
    // tag-batch names only ticket-batch's resources, but tag-everything (global) names it: it is shared.
    expect(ownerOf(s, 'tag-batch')).toEqual(['global']);
    expect(ownerOf(s, 'tag-reports')).toEqual(['global']);
    expect(ownerOf(s, 'report-1')).toEqual(['ticket-batch']);
  });
});

describe('scope rules: the parts are disjoint and cover the configuration', () => {
  it.each(['naming.xml', 'two-tickets.xml', 'two-tickets-b.xml'])('%s', (name) => {
    const c = fixture(name);
    const s = splitScopes(c, rules);
    const listed = [...Object.values(s.tickets), s.global, s.siteLocal].flatMap((p) => [
      ...p.resources,
      ...p.templates,
      ...p.constraints,
      ...p.tags,
    ]);
    const items = ['resources', 'constraints', 'tags'].flatMap((section) =>
      firstChild(c, section) ? childElements(firstChild(c, section) as XmlElement).map((e) => e.attrs.id) : [],
    );
    expect(listed.sort()).toEqual(items.sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('site B: its cibsync-local tag and the resource it names are site-local', () => {
    const s = splitScopes(fixture('two-tickets-b.xml'), rules);
    expect(s.siteLocal).toMatchObject({ resources: ['fence-b', 'b-backup'], tags: ['cibsync-local'] });
  });
});
