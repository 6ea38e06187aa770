// The publication: what a site holding the ticket offers the others (docs/publication.md).
// Its digest covers everything but `digest` and `created`, so an unchanged CIB gives an unchanged
// digest (the HTTP ETag) and an unchanged publication causes no work downstream.
import { CibsyncError } from '../errors.js';
import { canonicalDigest, childElements, element, firstChild, parseXml, toDocument, type XmlElement } from '../xml/index.js';
import { VERDICT_RANK, type VerdictLevel } from '../pacemaker/index.js';

export const PUBLICATION_ROOT = 'cibsync-publication';
export const PUBLICATION_FORMAT = '1';

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
}

export function publicationElement(p: Omit<Publication, 'digest'> & { digest?: string }): XmlElement {
  const attrs: Record<string, string> = {
    format: PUBLICATION_FORMAT,
    site: p.site,
    ticket: p.ticket,
    admin_epoch: String(p.adminEpoch),
    epoch: String(p.epoch),
    created: p.created,
  };
  if (p.digest) attrs.digest = p.digest;
  const nodes = Object.entries(p.nodeAttributes).map(([name, values]) =>
    element('node', { name }, Object.entries(values).map(([k, v]) => element('nvpair', { name: k, value: v }))),
  );
  const verdict = element('source-verdict', { level: p.sourceVerdict.level }, p.sourceVerdict.messages.map((m) => element('message', { level: m.level, text: m.text })));
  return element(PUBLICATION_ROOT, attrs, [p.configuration, element('node-attributes', {}, nodes), verdict]);
}

/** sha256 over the canonical form of the publication without its `digest` and `created` attributes. */
export function digestOf(root: XmlElement): string {
  const { digest: _digest, created: _created, ...attrs } = root.attrs;
  return canonicalDigest({ ...root, attrs });
}

export function sealPublication(p: Omit<Publication, 'digest'>): Publication {
  return { ...p, digest: digestOf(publicationElement(p)) };
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
  if (root.attrs.format !== PUBLICATION_FORMAT) throw invalid(`unsupported format '${root.attrs.format ?? ''}' (this cibsync reads format ${PUBLICATION_FORMAT})`);
  for (const required of ['site', 'admin_epoch', 'epoch', 'digest']) if (!root.attrs[required]) throw invalid(`missing attribute ${required}`);
  const configuration = firstChild(root, 'configuration');
  if (!configuration) throw invalid('no <configuration> element');
  const actual = digestOf(root);
  if (actual !== root.attrs.digest) {
    throw new CibsyncError('CIBSYNC_DIGEST_MISMATCH', `${source}: content digest ${actual} does not match the declared ${root.attrs.digest}`, { declared: root.attrs.digest, actual });
  }
  const nodeAttributes: NodeAttributes = {};
  for (const node of childElements(firstChild(root, 'node-attributes') ?? element('node-attributes'), 'node')) {
    const name = node.attrs.name;
    if (!name) throw invalid('<node> without a name in <node-attributes>');
    nodeAttributes[name] = Object.fromEntries(childElements(node, 'nvpair').map((nv) => [nv.attrs.name ?? '', nv.attrs.value ?? '']));
  }
  const verdictEl = firstChild(root, 'source-verdict');
  const level = verdictEl?.attrs.level ?? 'clean';
  if (!Object.hasOwn(VERDICT_RANK, level)) throw invalid(`unknown source-verdict level '${level.slice(0, 40)}'`);
  const sourceVerdict: SourceVerdict = {
    level: level as VerdictLevel,
    messages: verdictEl ? childElements(verdictEl, 'message').map((m) => ({ level: m.attrs.level === 'error' ? 'error' : 'warning', text: m.attrs.text ?? '' })) : [],
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
  };
}
