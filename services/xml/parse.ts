// Strict XML parsing, the only place in cibsync that parses XML. fast-xml-parser is lenient
// (its validator accepts several roots and undefined entities, and its parser returns a partial
// tree for truncated input), so the checks it lacks are done here, before it sees the text.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CibsyncError } from '../errors.js';
import type { XmlElement, XmlNode } from './tree.js';

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Deepest element nesting read: a CIB is about ten levels deep; the tree code recurses, so it must be bounded. */
export const MAX_DEPTH = 256;

export interface ParseOptions {
  /** Refuse documents larger than this many bytes (UTF-8). */
  maxBytes?: number;
  /** Names the document in error messages (a file name, a URL, "publication"). */
  source?: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Without it numeric character references (&#10;) are not decoded and come back double-escaped.
  htmlEntities: true,
  maxNestedTags: MAX_DEPTH,
});

// Anything but the five predefined entities and character references; checked outside CDATA and comments.
const FOREIGN_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)([^\s;<>&"']{0,40};?)/;

export function parseXml(text: string, options: ParseOptions = {}): XmlElement {
  const source = options.source ?? 'document';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new CibsyncError('CIBSYNC_XML_TOO_LARGE', `${source}: ${size} bytes is over the limit of ${maxBytes}`, { size, maxBytes });
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new CibsyncError('CIBSYNC_XML_DOCTYPE', `${source}: DOCTYPE and entity declarations are not accepted`);
  }
  // XML forbids "--" inside a comment; fast-xml-parser accepts it, libxslt does not.
  const badComment = /<!--(?:(?!-->)[\s\S])*?--(?!>)/.exec(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''));
  if (badComment) throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: "--" inside a comment`);
  const outsideMarkup = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, '');
  const entity = FOREIGN_ENTITY.exec(outsideMarkup);
  if (entity) {
    const ref = `&${entity[1]}`;
    const code = entity[1]?.endsWith(';') ? 'CIBSYNC_XML_ENTITY' : 'CIBSYNC_XML_MALFORMED';
    const what = code === 'CIBSYNC_XML_ENTITY' ? `undefined entity ${ref}` : `unescaped '&' (at "${ref}")`;
    throw new CibsyncError(code, `${source}: ${what}`);
  }
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: line ${line}, column ${col}: ${msg}`, { line, col });
  }
  const top = convert(parseTree(text, source));
  const roots = top.filter((n) => n.kind === 'element');
  // fast-xml-parser drops text around the root element, so look at the raw text too.
  const markupOnly = outsideMarkup.replace(/<\?[\s\S]*?\?>/g, '').replace(/^\uFEFF/, '').trim();
  const strayText = !markupOnly.startsWith('<') || !markupOnly.endsWith('>') || top.some((n) => (n.kind === 'text' || n.kind === 'cdata') && n.text.trim() !== '');
  if (roots.length !== 1 || strayText) {
    const why = roots.length === 0 ? 'no root element' : roots.length > 1 ? `${roots.length} root elements` : 'text outside the root element';
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: ${why}`);
  }
  return roots[0] as XmlElement;
}

type RawNode = Record<string, unknown>;

/** fast-xml-parser on text the validator accepted; what it still refuses (nesting over MAX_DEPTH) gets a stable code. */
function parseTree(text: string, source: string): RawNode[] {
  try {
    return parser.parse(text) as RawNode[];
  } catch (err) {
    const message = (err as Error).message;
    if (/nested tags/i.test(message)) throw new CibsyncError('CIBSYNC_XML_TOO_DEEP', `${source}: elements nested deeper than ${MAX_DEPTH} levels`, { maxDepth: MAX_DEPTH });
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: ${message}`);
  }
}

function textOf(raw: unknown): string {
  return (raw as RawNode[]).map((r) => String(r['#text'] ?? '')).join('');
}

function convert(raws: RawNode[]): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const raw of raws) {
    if ('#text' in raw) nodes.push({ kind: 'text', text: String(raw['#text']) });
    else if ('#comment' in raw) nodes.push({ kind: 'comment', text: textOf(raw['#comment']) });
    else if ('#cdata' in raw) nodes.push({ kind: 'cdata', text: textOf(raw['#cdata']) });
    else {
      const name = Object.keys(raw).find((k) => k !== ':@');
      if (name === undefined || name.startsWith('?')) continue; // processing instructions are not CIB content
      const attrs = { ...((raw[':@'] as Record<string, string> | undefined) ?? {}) };
      nodes.push({ kind: 'element', name, attrs, children: convert(raw[name] as RawNode[]) });
    }
  }
  return nodes;
}
