// The ETag form: a publication's digest in quotes, and back; If-None-Match lists match with or
// without the weak prefix.
import { describe, expect, it } from 'vitest';
import { digestOfEtag, etagMatches, etagOf } from '../../services/wire/index.js';

const DIGEST = 'f6de7a4e'.repeat(8);

describe('ETag', () => {
  it('is the digest in double quotes, and gives the digest back', () => {
    expect(etagOf(DIGEST)).toBe(`"${DIGEST}"`);
    expect(digestOfEtag(etagOf(DIGEST))).toBe(DIGEST);
    expect(digestOfEtag(`W/"${DIGEST}"`)).toBe(DIGEST);
    expect(digestOfEtag(undefined)).toBeUndefined();
    expect(digestOfEtag(['"a"', '"b"'])).toBeUndefined();
  });

  it('matches an If-None-Match list, strong or weak, and nothing else', () => {
    const etag = etagOf(DIGEST);
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`"other", W/${etag}`, etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
    expect(etagMatches(DIGEST, etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
  });
});
