import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../services/errors.js';

describe('error table', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `(CIBSYNC_[A-Z_]+)` \| (\d+) \| (\d+) \|/gm)];
  const documented = new Map(rows.map((m) => [m[1], Number(m[2])]));
  const httpStatus = new Map(rows.map((m) => [m[1], Number(m[3])]));

  it('documents every code with its exit status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) expect(documented.get(code), code).toBe(spec.exit);
  });

  it('documents every code with the HTTP status of its problem+json answer', () => {
    for (const [code, spec] of Object.entries(ERRORS)) expect(httpStatus.get(code), code).toBe(spec.http);
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) expect(Object.keys(ERRORS)).toContain(code);
  });
});
