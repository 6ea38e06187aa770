// Format 3 (a scoped publication) names its scopes, and a reader holds it to that; formats 1 and 2
// are still read and carry none.
import { describe, expect, it } from 'vitest';
import { isCibsyncError } from '../../services/errors.js';
import {
  digestOf,
  type Publication,
  publicationElement,
  readPublication,
  sealPublication,
  serializePublication,
} from '../../services/publication/index.js';
import { element, toDocument } from '../../services/xml/index.js';

const base: Omit<Publication, 'digest'> = {
  site: 'site-a',
  ticket: 'ticketA',
  adminEpoch: 0,
  epoch: 5,
  created: '2026-12-02T12:00:00.000Z',
  configuration: element('configuration', {}, [element('resources')]),
  nodeAttributes: {},
  sourceVerdict: { level: 'clean', messages: [] },
};

/** A document with `attrs` changed and its digest made to match (so only the format rules can refuse it). */
function documentWith(attrs: Record<string, string | undefined>, scopes?: string[]): string {
  const sealed = sealPublication({ ...base, ...(scopes ? { scopes } : {}) });
  const root = publicationElement(sealed);
  for (const [k, v] of Object.entries(attrs))
    if (v === undefined) delete root.attrs[k];
    else root.attrs[k] = v;
  return toDocument({ ...root, attrs: { ...root.attrs, digest: digestOf(root) } });
}

function refusal(text: string): string {
  try {
    readPublication(text);
  } catch (err) {
    if (!isCibsyncError(err)) throw err;
    expect(err.code).toBe('CIBSYNC_PUBLICATION_INVALID');
    return err.message;
  }
  throw new Error('the publication was read');
}

describe('format 3: a scoped publication', () => {
  it('is written for a publication with scopes, signed or not, and read back with them', () => {
    const text = serializePublication(sealPublication({ ...base, scopes: ['ticketA', 'global'] }));
    expect(text).toMatch(/format="3"/);
    expect(text).toMatch(/scopes="ticketA global"/);
    expect(readPublication(text).scopes).toEqual(['ticketA', 'global']);
    expect(readPublication(serializePublication(sealPublication(base))).scopes).toBeUndefined();
  });

  it('refuses format 3 without scopes, format 1 with them, and scopes that are not the ticket (and global), or global', () => {
    expect(refusal(documentWith({ scopes: undefined }, ['ticketA']))).toMatch(/format 3 names its scopes/);
    expect(refusal(documentWith({ scopes: 'ticketA' }))).toMatch(/format 1 carries no scopes/);
    expect(refusal(documentWith({}, ['ticketB']))).toMatch(/scopes 'ticketB' is not the ticket 'ticketA'/);
    expect(refusal(documentWith({}, ['global', 'ticketA']))).toMatch(/is not the ticket/);
    expect(refusal(documentWith({}, ['ticketA', 'global', 'global']))).toMatch(/is not the ticket/);
    expect(readPublication(documentWith({}, ['global'])).scopes).toEqual(['global']);
  });
});
