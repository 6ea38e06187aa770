// The live lab (two-sites.sh, root only) runs docs/operations.md's own blocks, found by their
// "<!-- lab: NAME -->" markers. This checks, without root, that every block the lab runs is there
// and that the guide's configuration file is what the lab's timings claim: valid JSON with the
// transforms directory and transformParams, and no poll interval anywhere.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function guideBlock(name: string): { status: number | null; text: string; errors: string } {
  const result = spawnSync('bash', ['-c', '. "$0" && lab_guide_block "$1"', join(here, 'lab-lib.sh'), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: result.status, text: result.stdout, errors: result.stderr };
}

/** The block names the lab scripts run: `guide_run SITE NAME` (`lab_guide_run`) and `lab_guide_block NAME`. */
function blocksTheLabRuns(): string[] {
  const script = ['two-sites.sh', 'active-active.sh'].map((f) => readFileSync(join(here, f), 'utf8')).join('\n');
  const names = [...script.matchAll(/(?:guide_run \S+|lab_guide_block) ([a-z][a-z-]+)/g)].map((m) => m[1]);
  return [...new Set(names)];
}

describe("docs/operations.md's blocks that the live lab runs", () => {
  it('finds the blocks the lab runs (and would fail on a missing marker)', () => {
    const names = blocksTheLabRuns();
    expect(names).toEqual(
      expect.arrayContaining(['cibsync-json', 'resources-crmsh', 'status', 'aa-cibsync-json', 'aa-resources-crmsh']),
    );
    for (const name of names) {
      const block = guideBlock(name);
      expect({ name, status: block.status }).toEqual({ name, status: 0 });
      expect(block.text.trim()).not.toBe('');
    }
    expect(guideBlock('no-such-block')).toMatchObject({ status: 1, errors: expect.stringContaining('no-such-block') });
  });

  it("section 10's configuration file: scopes instead of ticket, the global scope with one of the tickets", () => {
    const config = JSON.parse(guideBlock('aa-cibsync-json').text);
    expect(config.scopes).toEqual({ tickets: ['ticketA', 'ticketB'], global: 'ticketA' });
    expect(config.ticket).toBeUndefined();
    expect(guideBlock('aa-booth-conf').text).toMatch(/ticket = "ticketA"[\s\S]*ticket = "ticketB"/);
  });

  it('gives a configuration file with transforms and transformParams, and no poll interval', () => {
    const block = guideBlock('cibsync-json');
    const config = JSON.parse(block.text);
    expect(config.transforms).toBe('/etc/cibsync/transforms');
    expect(Object.keys(config.transformParams ?? {})).not.toHaveLength(0);
    expect(block.text).not.toMatch(/poll/i);
  });
});
