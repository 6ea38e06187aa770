// Manual approval on real file-backed CIBs, through the `cibsync` command.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, importAt, trustArgs, useSitesAB } from '../helpers/import.js';
import { cli } from '../helpers/sites.js';

const sites = useSitesAB();

const planCli = (args: string[], env?: NodeJS.ProcessEnv) =>
  cli(['plan', ...args, '--state-dir', sites.b.stateDir], { cibFile: sites.b.cibFile, env });

function planFor(): { id: string; text: string } {
  const r = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--approval', 'manual']);
  expect(r.code, r.stderr).toBe(0);
  const id = /^planned: ([0-9a-f-]{36})$/m.exec(r.stdout)?.[1];
  expect(id).toBeDefined();
  return { id: id as string, text: r.stdout };
}

describe('manual approval', () => {
  it('records a readable plan and leaves the CIB untouched until approval; approve applies exactly the candidate', async () => {
    const before = sites.b.hash();
    const { id, text } = planFor();
    expect(sites.b.hash()).toBe(before);
    expect(text).toMatch(/\+ resource g-web added/);
    expect(text).toMatch(/~ b1: app-role=primary \(new\)/);
    expect(text).toMatch(/crm_verify: candidate clean \(this site now: clean\)/);

    const shown = planCli(['show', '--output-as=json']);
    const record = JSON.parse(shown.stdout);
    expect(record).toMatchObject({ id, status: 'pending', source: { site: 'siteA', epoch: 20 } });
    expect(sites.b.hash()).toBe(before);

    const approved = planCli(['approve', id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`Plan ${id}: APPLIED`));
    expect(approved.stdout).toMatch(/approved by local:/);
    const { readFileSync } = await import('node:fs');
    const { parseXml, sameXml, firstChild } = await import('../../services/xml/index.js');
    const candidate = parseXml(readFileSync(join(sites.b.stateDir, 'plans', `${id}.candidate.xml`), 'utf8'));
    // Everything but <nodes>, where the node attributes went in after the configuration.
    for (const section of ['crm_config', 'resources', 'constraints']) {
      expect(
        sameXml(
          firstChild(firstChild(await sites.b.pacemaker.queryCib(), 'configuration')!, section)!,
          firstChild(candidate, section)!,
        ),
        section,
      ).toBe(true);
    }
    expect(await sites.b.pacemaker.queryNodeAttribute('b1', 'app-role')).toBe('primary');

    const again = planCli(['approve', id]);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/CIBSYNC_PLAN_NOT_PENDING: plan .* is applied/);
  });

  it('refuses approval once the local CIB changed, writing nothing', () => {
    const { id } = planFor();
    sites.b.tool('crm_attribute', ['--type', 'crm_config', '--name', 'batch-limit', '--update', '3']);
    const hash = sites.b.hash();
    const r = planCli(['approve', id]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/CIBSYNC_CIB_CHANGED: the local configuration changed from 0\.7 to 0\.8/);
    expect(sites.b.hash()).toBe(hash);
    expect(JSON.parse(planCli(['show', id, '--output-as=json']).stdout).status).toBe('pending');
  });

  it('a newer publication supersedes the pending plan, which can then never be applied', () => {
    const first = planFor();
    sites.a.tool('cibadmin', ['--modify', '--xml-text', '<nvpair id="vip-db-ip" value="192.0.2.30"/>']);
    const second = planFor();
    expect(second.id).not.toBe(first.id);
    const old = JSON.parse(planCli(['show', first.id, '--output-as=json']).stdout);
    expect(old.status).toBe('superseded');
    expect(old.decisions.at(-1)).toMatchObject({ action: 'superseded', reason: expect.stringMatching(/epoch|0\.21/) });
    const hash = sites.b.hash();
    expect(planCli(['approve', first.id]).code).toBe(6);
    expect(sites.b.hash()).toBe(hash);
    expect(planCli(['list']).stdout.split('\n').filter(Boolean)).toHaveLength(2);
    // the same publication again does not make a third plan
    expect(importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--approval', 'manual']).stdout).toMatch(
      /^already-pending: /,
    );
  });

  it('edit: the edited candidate is re-verified, re-planned and is what approve applies', async () => {
    const { id } = planFor();
    const editor = join(sites.b.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i \'s/value="192.0.2.20"/value="192.0.2.99"/\' "$1"\n');
    chmodSync(editor, 0o755);
    const edited = planCli(['edit', id], { EDITOR: editor });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/\(edited\)/);
    expect(edited.stdout).toMatch(/edited by local:/);

    const broken = join(sites.b.dir, 'broken.sh');
    writeFileSync(broken, '#!/bin/sh\nsed -i \'s/loss-policy="stop"/loss-policy="explode"/\' "$1"\n');
    chmodSync(broken, 0o755);
    const refused = planCli(['edit', id], { EDITOR: broken });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/CIBSYNC_CANDIDATE_SCHEMA_INVALID/);

    const hash = sites.b.hash();
    expect(sites.b.hash()).toBe(hash);
    expect(planCli(['approve', id]).code).toBe(0);
    expect(sites.b.read()).toContain('value="192.0.2.99"');
    expect(sites.b.read()).not.toContain('explode');
  });

  it('reject records who and why, and nothing is written', () => {
    const { id } = planFor();
    const hash = sites.b.hash();
    const r = planCli(['reject', id, '--reason', 'wrong VIP for this site']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/REJECTED/);
    expect(r.stdout).toMatch(/rejected by local:\S+: wrong VIP for this site/);
    expect(sites.b.hash()).toBe(hash);
    // The same publication again does not bring the rejected plan back.
    const again = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--approval', 'manual']);
    expect(again.stdout).toMatch(new RegExp(`^already-rejected: ${id}`));
    expect(planCli(['show']).stdout).toBe('no pending plan\n');
  });

  it('predicts the transition: starts at B, none for resources behind a ticket B lacks; stops for removals', async () => {
    const { id } = planFor();
    const plan = JSON.parse(planCli(['show', id, '--output-as=json']).stdout);
    const actions = plan.transition.map((t: { action: string; resource: string }) => `${t.action} ${t.resource}`);
    expect(actions.sort()).toEqual(['start ping:0', 'start ping:1']);
    expect(planCli(['approve', id]).code).toBe(0);

    // Pretend B's cluster ran what it was given, then A drops the ping clone.
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const ran = join(sites.b.dir, 'ran.xml');
    execFileSync('crm_simulate', ['--simulate', '--xml-file', sites.b.cibFile, '--save-output', ran], {
      stdio: 'ignore',
    });
    writeFileSync(sites.b.cibFile, readFileSync(ran, 'utf8'));
    sites.a.tool('cibadmin', ['--delete', '--xml-text', '<rsc_order id="ping-then-web"/>']);
    sites.a.tool('cibadmin', ['--delete', '--xml-text', '<clone id="cl-ping"/>']);
    const next = planFor();
    // The clone's instances, now orphans, are stopped where they run.
    const stops = JSON.parse(planCli(['show', next.id, '--output-as=json']).stdout).transition.map(
      (t: { action: string; resource: string; node: string }) => `${t.action} ${t.resource} ${t.node}`,
    );
    expect(stops.sort()).toEqual(['stop ping b1', 'stop ping b2']);
    expect(planCli(['show', next.id]).stdout).toMatch(/\* stop ping on b1/);
  });

  it('dry run from a file records nothing', () => {
    const r = planCli(['--from', exportFrom(sites.a), '--node-map', 'a1=b1', ...trustArgs(sites.b)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Dry run \(nothing recorded, nothing written\)/);
    expect(planCli(['list']).stdout).toBe('');
    expect(planCli(['show']).stdout).toBe('no pending plan\n');
  });

  it('XML output for tools', () => {
    const { id } = planFor();
    const xml = planCli(['show', id, '--output-as=xml']).stdout;
    expect(xml).toMatch(new RegExp(`<plan id="${id}" status="pending"`));
    expect(xml).toMatch(/<rsc_action action="start" resource="ping:0"/);
  });
});
