// The runtime document (docs/publication.md, "Runtime attributes"): the allowlist's glob patterns, the
// digest that is its ETag, and its origin checked as a publication's, so that no other certificate of
// the CA (nor an altered copy) can put attributes on this site's servers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applySettings, defaultConfig } from '../../services/config/index.js';
import { readRuntimeChecked } from '../../services/pipeline/index.js';
import {
  digestSigner,
  readRuntime,
  runtimeNameFilter,
  sealRuntime,
  serializeRuntime,
} from '../../services/publication/index.js';
import { issueSigner, trustSettings } from '../helpers/signing.js';

// Own properties (Object.fromEntries): a node named __proto__ is a node like any other.
const attributes: Record<string, Record<string, string>> = Object.fromEntries<Record<string, string>>([
  ['a1', { 'runtime-port': '8080', 'stat-hits': '-5' }],
  ['__proto__', { 'runtime-x': '1' }],
]);

const signers = new Map<string, ReturnType<typeof issueSigner>>();

function signedBy(name: string, changed: Record<string, Record<string, string>> = attributes): string {
  const files = signers.get(name) ?? issueSigner(name);
  signers.set(name, files);
  const sign = digestSigner(readFileSync(files.key, 'utf8'), readFileSync(files.cert, 'utf8'));
  return serializeRuntime(sealRuntime({ site: 'siteA', ticket: 'ticketA', attributes: changed }, sign));
}

const config = () => applySettings(defaultConfig(), { trust: trustSettings() });

describe('runtime attribute names', () => {
  it('takes names and glob patterns, nothing else, and nothing when empty', () => {
    const allowed = runtimeNameFilter(['runtime-*', 'stat-?ount', 'exact.name']);
    expect(['runtime-port', 'runtime-', 'stat-count', 'stat-mount', 'exact.name'].every(allowed)).toBe(true);
    expect(['xruntime-port', 'stat-counter', 'stat-ount', 'exactxname', 'Runtime-port'].some(allowed)).toBe(false);
    expect(runtimeNameFilter([])('runtime-port')).toBe(false);
  });
});

describe('the runtime document', () => {
  it('reads back what was written, a node named __proto__ included, with the same digest', () => {
    const text = signedBy('pub.siteA');
    const read = readRuntimeChecked(text, { config: config() });
    expect(read.attributes).toEqual(attributes);
    expect(Object.hasOwn(read.attributes, '__proto__')).toBe(true);
    expect(read.digest).toBe(readRuntime(text).digest);
  });

  it('has a digest that changes with a value and only then', () => {
    expect(readRuntime(signedBy('pub.siteA')).digest).toBe(readRuntime(signedBy('pub.siteA')).digest);
    expect(readRuntime(signedBy('pub.siteA', { a1: { 'runtime-port': '8081' } })).digest).not.toBe(
      readRuntime(signedBy('pub.siteA')).digest,
    );
  });

  it('refuses an altered copy, and one signed by a certificate not trusted for its site', () => {
    const altered = signedBy('pub.siteA').replace('value="8080"', 'value="9999"');
    expect(() => readRuntimeChecked(altered, { config: config() })).toThrow(
      expect.objectContaining({ code: 'CIBSYNC_DIGEST_MISMATCH' }),
    );
    expect(() => readRuntimeChecked(signedBy('sub.siteB'), { config: config() })).toThrow(
      expect.objectContaining({ code: 'CIBSYNC_PUBLISHER_UNTRUSTED' }),
    );
    const unsigned = serializeRuntime(sealRuntime({ site: 'siteA', ticket: 'ticketA', attributes }));
    expect(() => readRuntimeChecked(unsigned, { config: config() })).toThrow(
      expect.objectContaining({ code: 'CIBSYNC_PUBLICATION_UNSIGNED' }),
    );
  });
});
