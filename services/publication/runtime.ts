// The runtime document (docs/publication.md, "Runtime attributes"): the transient node attributes of
// every server that the runtimeAttributes.names allowlist lets cross, served apart from the
// publication so that a statistics tick never changes the configuration's digest nor wakes an import.
// Digested and signed like a publication (the same key, the same checks of its origin).
import { CibsyncError } from '../errors.js';
import { element, parseXml, toDocument } from '../xml/index.js';
import {
  digestOf,
  type NodeAttributes,
  nodeElements,
  type PublicationSignature,
  type ReadOptions,
  readNodeElements,
} from './format.js';

export const RUNTIME_ROOT = 'cibsync-runtime';
const RUNTIME_FORMAT = '1';

export interface RuntimeDocument {
  site: string;
  ticket: string;
  digest: string;
  /** Transient node attributes by node name, only the allowed names. */
  attributes: NodeAttributes;
  signature?: PublicationSignature;
}

function runtimeElement(r: Omit<RuntimeDocument, 'digest'> & { digest?: string }) {
  const attrs: Record<string, string> = { format: RUNTIME_FORMAT, site: r.site, ticket: r.ticket };
  if (r.digest) attrs.digest = r.digest;
  if (r.signature) Object.assign(attrs, { signature: r.signature.value, signer: r.signature.signer });
  return element(RUNTIME_ROOT, attrs, nodeElements(r.attributes));
}

/** Computes the digest (the ETag: unchanged attributes, unchanged digest) and signs it when given a key. */
export function sealRuntime(
  r: Omit<RuntimeDocument, 'digest' | 'signature'>,
  sign?: (digest: string) => PublicationSignature,
): RuntimeDocument {
  const digest = digestOf(runtimeElement(r));
  return sign ? { ...r, digest, signature: sign(digest) } : { ...r, digest };
}

export function serializeRuntime(r: RuntimeDocument): string {
  return toDocument(runtimeElement(r));
}

/** Strict parse of a runtime document, with format and digest checks (its origin: verifyOrigin). */
export function readRuntime(text: string, options: ReadOptions = {}): RuntimeDocument {
  const source = options.source ?? 'runtime document';
  const root = parseXml(text, { maxBytes: options.maxBytes, source });
  const invalid = (why: string) => new CibsyncError('CIBSYNC_PUBLICATION_INVALID', `${source}: ${why}`);
  if (root.name !== RUNTIME_ROOT) throw invalid(`root element is <${root.name}>, expected <${RUNTIME_ROOT}>`);
  if (root.attrs.format !== RUNTIME_FORMAT) throw invalid(`unsupported format '${root.attrs.format ?? ''}'`);
  for (const required of ['site', 'digest']) if (!root.attrs[required]) throw invalid(`missing attribute ${required}`);
  const { signature, signer } = root.attrs;
  if ((signature === undefined) !== (signer === undefined))
    throw invalid('a signature needs both the signature and the signer attributes');
  const actual = digestOf(root);
  if (actual !== root.attrs.digest)
    throw new CibsyncError(
      'CIBSYNC_DIGEST_MISMATCH',
      `${source}: content digest ${actual} does not match the declared ${root.attrs.digest}`,
      { declared: root.attrs.digest, actual },
    );
  return {
    site: root.attrs.site as string,
    ticket: root.attrs.ticket ?? '',
    digest: root.attrs.digest as string,
    attributes: readNodeElements(root, invalid),
    ...(signature !== undefined && signer !== undefined ? { signature: { value: signature, signer } } : {}),
  };
}

/**
 * Whether an attribute name is on the allowlist: each entry a name, or a glob pattern where `*` is any
 * run of characters and `?` one character. An empty list lets nothing cross.
 */
export function runtimeNameFilter(patterns: string[]): (name: string) => boolean {
  const expressions = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
          .join('')}$`,
        's',
      ),
  );
  return (name) => expressions.some((e) => e.test(name));
}
