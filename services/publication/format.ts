// The publication: what a site holding the ticket offers the others (docs/publication.md).
// Its digest covers everything but `digest`, `created` and the signature, so an unchanged CIB gives an
// unchanged digest (the HTTP ETag) and an unchanged publication causes no work downstream. Format 2
// is format 1 plus a signature of the digest and the signer's certificate (signature.ts); an
// unsigned publication is still written as format 1. Format 3 (signed or not) carries one ticket's
// scope of the configuration, and names it (`scopes`); formats 1 and 2 carry the whole configuration.
import { VERDICT_RANK, type VerdictLevel } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import {
  canonicalDigest,
  childElements,
  element,
  firstChild,
  parseXml,
  toDocument,
  type XmlElement,
} from '../xml/index.js';

export const PUBLICATION_ROOT = 'cibsync-publication';
/** The format of a signed publication; an unsigned one is written as format 1, which older cibsync reads. */
export const PUBLICATION_FORMAT = '2';
const UNSIGNED_FORMAT = '1';
/** The format of a scoped publication (ticket-scoped replication), signed or not. */
export const SCOPED_FORMAT = '3';
const FORMATS = [UNSIGNED_FORMAT, PUBLICATION_FORMAT, SCOPED_FORMAT];
/** The name of the global scope in `scopes`. */
const GLOBAL = 'global';
/** The attributes the digest does not cover. */
const UNDIGESTED = ['digest', 'created', 'signature', 'signer'];

export type NodeAttributes = Record<string, Record<string, string>>;

export interface SourceVerdict {
  level: VerdictLevel;
  messages: { level: 'error' | 'warning'; text: string }[];
}

export interface Publication {
  site: string;
  ticket: string;
  adminEpoch: number;
  epoch: number;
  created: string;
  digest: string;
  configuration: XmlElement;
  /** Permanent node attributes by node name: the settings of every server (N+1). */
  nodeAttributes: NodeAttributes;
  /** crm_verify's verdict on the source configuration alone (status emptied). */
  sourceVerdict: SourceVerdict;
  /**
   * Format 3: the scopes the configuration holds, by name: the publication's ticket, then `global` when
   * it carries the global scope too; or `global` alone. Absent: the whole configuration (formats 1, 2).
   */
  scopes?: string[];
  /** Who vouches for the digest (format 2); absent in an unsigned publication. */
  signature?: PublicationSignature;
}

/** The publisher's signature of the digest, and the certificate of the key that made it. */
export interface PublicationSignature {
  /** base64 of the signature over signedText(digest). */
  value: string;
  /** The signer's certificate: base64 DER (as written), or PEM (as also read). */
  signer: string;
}

export function publicationElement(
  p: Omit<Publication, 'digest'> & { digest?: string },
  format = formatOf(p, p.signature !== undefined),
): XmlElement {
  const attrs: Record<string, string> = {
    format,
    site: p.site,
    ticket: p.ticket,
    admin_epoch: String(p.adminEpoch),
    epoch: String(p.epoch),
    created: p.created,
  };
  if (p.scopes) attrs.scopes = p.scopes.join(' ');
  if (p.digest) attrs.digest = p.digest;
  if (p.signature) Object.assign(attrs, { signature: p.signature.value, signer: p.signature.signer });
  const nodes = nodeElements(p.nodeAttributes);
  const verdict = element(
    'source-verdict',
    { level: p.sourceVerdict.level },
    p.sourceVerdict.messages.map((m) => element('message', { level: m.level, text: m.text })),
  );
  return element(PUBLICATION_ROOT, attrs, [p.configuration, element('node-attributes', {}, nodes), verdict]);
}

function formatOf(p: Pick<Publication, 'scopes'>, signed: boolean): string {
  return p.scopes ? SCOPED_FORMAT : signed ? PUBLICATION_FORMAT : UNSIGNED_FORMAT;
}

/** What `scopes` may say: the publication's ticket, the ticket then `global`, or `global` alone. */
function scopesProblem(scopes: string[], ticket: string): string | undefined {
  const [first, second, ...rest] = scopes;
  const fits =
    rest.length === 0 &&
    ((first === GLOBAL && second === undefined) ||
      (first === ticket && ticket !== '' && (second === undefined || second === GLOBAL)));
  return fits
    ? undefined
    : `scopes '${scopes.join(' ').slice(0, 80)}' is not the ticket ${ticket ? `'${ticket.slice(0, 40)}'` : '(none)'}, the ticket and global, or global`;
}

/** Node attributes as `<node name=…><nvpair name=… value=…/></node>` elements (a publication's, a runtime document's). */
export function nodeElements(attributes: NodeAttributes): XmlElement[] {
  return Object.entries(attributes).map(([name, values]) =>
    element(
      'node',
      { name },
      Object.entries(values).map(([k, v]) => element('nvpair', { name: k, value: v })),
    ),
  );
}

/** The `<node>` children of `parent` back as node attributes; a node without a name is `invalid`. */
export function readNodeElements(parent: XmlElement, invalid: (why: string) => Error): NodeAttributes {
  // Own properties only (Object.fromEntries): a node named __proto__ is a node, not a prototype.
  return Object.fromEntries(
    childElements(parent, 'node').map((node) => {
      const name = node.attrs.name;
      if (!name) throw invalid(`<node> without a name in <${parent.name}>`);
      return [
        name,
        Object.fromEntries(childElements(node, 'nvpair').map((nv) => [nv.attrs.name ?? '', nv.attrs.value ?? ''])),
      ];
    }),
  );
}

/** sha256 over the canonical form of the publication without its `digest`, `created`, `signature` and `signer` attributes. */
export function digestOf(root: XmlElement): string {
  const attrs = Object.fromEntries(Object.entries(root.attrs).filter(([name]) => !UNDIGESTED.includes(name)));
  return canonicalDigest({ ...root, attrs });
}

/** Computes the digest; with `sign` (the publisher's key), signs it too and makes the publication format 2. */
export function sealPublication(
  p: Omit<Publication, 'digest' | 'signature'>,
  sign?: (digest: string) => PublicationSignature,
): Publication {
  const digest = digestOf(publicationElement(p, formatOf(p, sign !== undefined)));
  return sign ? { ...p, digest, signature: sign(digest) } : { ...p, digest };
}

export function serializePublication(p: Publication): string {
  return toDocument(publicationElement(p));
}

export interface ReadOptions {
  maxBytes?: number;
  source?: string;
}

/** Strict parse of a publication document, with format and digest checks. */
export function readPublication(text: string, options: ReadOptions = {}): Publication {
  const source = options.source ?? 'publication';
  const root = parseXml(text, { maxBytes: options.maxBytes, source });
  const invalid = (why: string) => new CibsyncError('CIBSYNC_PUBLICATION_INVALID', `${source}: ${why}`);
  if (root.name !== PUBLICATION_ROOT) throw invalid(`root element is <${root.name}>, expected <${PUBLICATION_ROOT}>`);
  const format = root.attrs.format ?? '';
  if (!FORMATS.includes(format))
    throw invalid(`unsupported format '${format}' (this cibsync reads formats ${FORMATS.join(' and ')})`);
  for (const required of ['site', 'admin_epoch', 'epoch', 'digest'])
    if (!root.attrs[required]) throw invalid(`missing attribute ${required}`);
  const { signature, signer } = root.attrs;
  if ((signature === undefined) !== (signer === undefined))
    throw invalid('a signature needs both the signature and the signer attributes');
  if (signature !== undefined && format === UNSIGNED_FORMAT) throw invalid('format 1 carries no signature');
  const scopesText = root.attrs.scopes;
  if ((scopesText !== undefined) !== (format === SCOPED_FORMAT))
    throw invalid(format === SCOPED_FORMAT ? 'format 3 names its scopes' : `format ${format} carries no scopes`);
  const scopes = scopesText?.split(' ');
  const problem = scopes && scopesProblem(scopes, root.attrs.ticket ?? '');
  if (problem) throw invalid(problem);
  const configuration = firstChild(root, 'configuration');
  if (!configuration) throw invalid('no <configuration> element');
  const actual = digestOf(root);
  if (actual !== root.attrs.digest) {
    throw new CibsyncError(
      'CIBSYNC_DIGEST_MISMATCH',
      `${source}: content digest ${actual} does not match the declared ${root.attrs.digest}`,
      { declared: root.attrs.digest, actual },
    );
  }
  const nodeAttributes = readNodeElements(firstChild(root, 'node-attributes') ?? element('node-attributes'), invalid);
  const verdictEl = firstChild(root, 'source-verdict');
  const level = verdictEl?.attrs.level ?? 'clean';
  if (!Object.hasOwn(VERDICT_RANK, level)) throw invalid(`unknown source-verdict level '${level.slice(0, 40)}'`);
  const sourceVerdict: SourceVerdict = {
    level: level as VerdictLevel,
    messages: verdictEl
      ? childElements(verdictEl, 'message').map((m) => ({
          level: m.attrs.level === 'error' ? 'error' : 'warning',
          text: m.attrs.text ?? '',
        }))
      : [],
  };
  const num = (name: string) => {
    const v = Number(root.attrs[name]);
    if (!Number.isInteger(v) || v < 0) throw invalid(`${name} is not a non-negative integer`);
    return v;
  };
  return {
    site: root.attrs.site as string,
    ticket: root.attrs.ticket ?? '',
    adminEpoch: num('admin_epoch'),
    epoch: num('epoch'),
    created: root.attrs.created ?? '',
    digest: root.attrs.digest as string,
    configuration,
    nodeAttributes,
    sourceVerdict,
    ...(scopes ? { scopes } : {}),
    ...(signature !== undefined && signer !== undefined ? { signature: { value: signature, signer } } : {}),
  };
}
