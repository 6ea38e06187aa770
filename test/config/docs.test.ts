// docs/configuration.md documents exactly the schema's settings, each with the command-line flag that
// sets it, its default and the daemons that need it, as docs/errors.md documents the error table (test/errors.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FLAGS } from '../../services/cli/command.js';
import { settingsOf } from '../../services/config/index.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
/** key → its row's cells: flag, default, required for, meaning. */
const rows = new Map(
  [...doc.matchAll(/^\| `([A-Za-z.]+)` \|(.*)\|$/gm)].map((m) => [
    m[1] as string,
    (m[2] as string).split('|').map((c) => c.trim()),
  ]),
);
/** The keys that hold a value (a section's keys are documented one by one, the section itself in prose). */
const leaves = settingsOf().filter(({ schema }) => !(schema.type === 'object' && schema.properties));

/** How a default is written in the default column: `value` (JSON for anything but a string), or "none" for no value. */
function written(value: unknown): string {
  if (value === undefined || value === '') return 'none';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

describe('docs/configuration.md', () => {
  it('documents every setting, and no setting that does not exist', () => {
    expect([...rows.keys()].sort()).toEqual(leaves.map((s) => s.path).sort());
  });

  it.each(leaves.map((s) => [s.path, s.schema] as const))(
    '%s: its flag, its default and the daemons that need it',
    (path, schema) => {
      const [flagCell = '', defaultCell = '', requiredCell = ''] = rows.get(path) ?? [];
      const flag = Object.entries(CONFIG_FLAGS).find(([, setting]) => setting === path)?.[0];
      expect(flagCell, `flag of ${path}`).toBe(flag ? `\`--${flag}\`` : '');
      expect(defaultCell.startsWith(written(schema.default)), `default of ${path}: ${defaultCell}`).toBe(true);
      const requiredFor = (schema.requiredFor as string[] | undefined) ?? [];
      expect(requiredCell.split(' (')[0]?.split(', ').filter(Boolean) ?? [], `required for of ${path}`).toEqual(
        requiredFor,
      );
      if (schema.waivedBy) expect(requiredCell).toContain(`unless \`${schema.waivedBy as string}\``);
    },
  );
});
