import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../services/errors.js';

describe('error table', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `(CIBSYNC_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));

  it('documents every code with its exit status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) expect(documented.get(code), code).toBe(spec.exit);
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) expect(Object.keys(ERRORS)).toContain(code);
  });
});
