// `cibsync scopes` through the built command, on a file-backed CIB (CIB_file).
import { afterAll, describe, expect, it } from 'vitest';
import { splitScopes } from '../../services/scopes/index.js';
import { cli, makeSite } from '../helpers/sites.js';
import { fixture, fixturePath, rules } from './helpers.js';

describe('cibsync scopes', () => {
  const site = makeSite(fixturePath('two-tickets.xml'));
  const before = site.hash();
  afterAll(() => site.cleanup());

  it('text: one greppable line per member, what fell to global and why', () => {
    const r = cli(['scopes'], { cibFile: site.cibFile });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('scope ticket-db '))).toEqual([
      'scope ticket-db resource db-ip',
      'scope ticket-db resource g-db',
      'scope ticket-db constraint db-needs-ticket',
      'scope ticket-db constraint db-ip-before-db',
    ]);
    expect(lines).toContain('scope ticket-web: 1 resource, 0 templates, 1 constraint, 0 tags');
    expect(lines).toContain('scope ticket-web resource web-clone');
    expect(lines).toContain('scope global section rsc_defaults');
    expect(lines).toContain('scope global resource ping-clone');
    expect(lines).toContain('site-local resource fence-a');
    expect(lines).toContain('fell-to-global resource shared-cache: bound to tickets ticket-db and ticket-web');
    expect(lines).toContain('fell-to-global constraint web-with-db: spans scopes ticket-db and ticket-web');
    expect(site.hash()).toBe(before);
  });

  it('json: the split as splitScopes computes it', () => {
    const r = cli(['scopes', '--output-as=json'], { cibFile: site.cibFile });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(splitScopes(fixture('two-tickets.xml'), rules));
    expect(JSON.parse(r.stdout).fellToGlobal).toContainEqual({
      kind: 'resource',
      id: 'shared-cache',
      reason: 'bound to tickets ticket-db and ticket-web',
      owners: ['ticket-db', 'ticket-web'],
    });
  });

  it('--help says how the scopes are replicated; a bad --output-as is a usage error', () => {
    const help = cli(['scopes', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: cibsync scopes [options]');
    expect(help.stdout).toMatch(/^ +--output-as text\|json +output format/m);
    expect(help.stdout).toMatch(/^ +-c, --config FILE +/m);
    expect(help.stdout).toContain("each listed ticket's scope is replicated on its own");
    const bad = cli(['scopes', '--output-as=yaml'], { cibFile: site.cibFile });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CIBSYNC_USAGE');
  });
});
