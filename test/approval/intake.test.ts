// One intake decides auto or manual (services/approval/intake.ts), for `cibsync import` as for the
// subscriber daemon: the setting, or the command's --approval over it; a dry run never records a
// plan; and in manual mode the command answers what the daemon answers (`replicate-now`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFrom, importAt, TEST_TRANSFORMS, useSitesAB } from '../helpers/import.js';
import { trustSettings } from '../helpers/signing.js';
import { cli } from '../helpers/sites.js';

const sites = useSitesAB();

const plans = () => cli(['plan', 'list', '--state-dir', sites.b.stateDir], { cibFile: sites.b.cibFile }).stdout;

/** A config file that puts this site in manual approval mode (with the test chain and trust importAt's own has). */
function manualConfig(): string {
  const file = join(sites.b.dir, 'manual.json');
  writeFileSync(
    file,
    JSON.stringify({
      transformChain: [join(TEST_TRANSFORMS, 'identity.xsl')],
      trust: trustSettings(),
      subscriber: { approval: 'manual' },
    }),
  );
  return file;
}

describe('the intake of a publication', () => {
  it('in manual mode answers as the subscriber does: approval, outcome, source and the pending plan', () => {
    const before = sites.b.hash();
    const r = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--approval', 'manual', '--output-as=json']);
    expect(r.code, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer).toMatchObject({
      approval: 'manual',
      outcome: 'planned',
      source: { site: 'siteA', epoch: 20 },
      record: { status: 'pending' },
    });
    expect(answer.source).toEqual(answer.record.source);
    expect(sites.b.hash()).toBe(before);
  });

  it('follows subscriber.approval, which --approval overrides', () => {
    const manual = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--config', manualConfig()]);
    expect(manual.code, manual.stderr).toBe(0);
    expect(manual.stdout).toMatch(/^planned: /);
    const auto = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', [
      '--config',
      manualConfig(),
      '--approval',
      'auto',
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toMatch(/outcome: applied/);
  });

  it('a dry run in manual mode records no plan and writes nothing', () => {
    const before = sites.b.hash();
    const r = importAt(sites.b, exportFrom(sites.a), 'identity.xsl', ['--approval', 'manual', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/outcome: dry-run/);
    expect(plans()).toBe('');
    expect(sites.b.hash()).toBe(before);
  });
});
