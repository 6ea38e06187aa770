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
  // References are decoded by decodeReferences() below, in one pass: fast-xml-parser's entity
  // handling (needed with htmlEntities for &#10;) doubled the time of a parse.
  processEntities: false,
  maxNestedTags: MAX_DEPTH,
});

// Anything but the five predefined entities and character references; checked outside CDATA and comments.
const FOREIGN_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)([^\s;<>&"']{0,40};?)/;

export function parseXml(text: string, options: ParseOptions = {}): XmlElement {
  const source = options.source ?? 'document';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new CibsyncError('CIBSYNC_XML_TOO_LARGE', `${source}: ${size} bytes is over the limit of ${maxBytes}`, {
      size,
      maxBytes,
    });
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
  checkCharacterReferences(outsideMarkup, source);
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: line ${line}, column ${col}: ${msg}`, { line, col });
  }
  const top = convert(parseTree(text, source));
  const roots = top.filter((n) => n.kind === 'element');
  // fast-xml-parser drops text around the root element, so look at the raw text too.
  const markupOnly = outsideMarkup
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/^\uFEFF/, '')
    .trim();
  const strayText =
    !markupOnly.startsWith('<') ||
    !markupOnly.endsWith('>') ||
    top.some((n) => (n.kind === 'text' || n.kind === 'cdata') && n.text.trim() !== '');
  if (roots.length !== 1 || strayText) {
    const why =
      roots.length === 0
        ? 'no root element'
        : roots.length > 1
          ? `${roots.length} root elements`
          : 'text outside the root element';
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: ${why}`);
  }
  return roots[0] as XmlElement;
}

type RawNode = Record<string, unknown>;

function textNode(text: string, spaces: Map<string, XmlNode>): XmlNode {
  if (text.trim() !== '') return { kind: 'text', text };
  let node = spaces.get(text);
  if (!node) {
    node = { kind: 'text', text };
    spaces.set(text, node);
  }
  return node;
}

/** fast-xml-parser on text the validator accepted; what it still refuses (nesting over MAX_DEPTH) gets a stable code. */
function parseTree(text: string, source: string): RawNode[] {
  try {
    return parser.parse(text) as RawNode[];
  } catch (err) {
    const message = (err as Error).message;
    if (/nested tags/i.test(message))
      throw new CibsyncError('CIBSYNC_XML_TOO_DEEP', `${source}: elements nested deeper than ${MAX_DEPTH} levels`, {
        maxDepth: MAX_DEPTH,
      });
    throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: ${message}`);
  }
}

function textOf(raw: unknown): string {
  return (raw as RawNode[]).map((r) => String(r['#text'] ?? '')).join('');
}

const REFERENCE = /&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's Char production: what a character reference may name. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function codePointOf(reference: string): number {
  return reference[0] === 'x' ? Number.parseInt(reference.slice(1), 16) : Number.parseInt(reference, 10);
}

/** A character reference must name a character XML allows (not &#0;, not a lone surrogate, not past U+10FFFF). */
function checkCharacterReferences(outsideMarkup: string, source: string): void {
  for (const m of outsideMarkup.matchAll(CHARACTER_REFERENCE)) {
    if (!isXmlChar(codePointOf(m[1] as string)))
      throw new CibsyncError(
        'CIBSYNC_XML_MALFORMED',
        `${source}: character reference ${m[0].slice(0, 40)} names no XML character`,
      );
  }
}

/** Decodes the five predefined entities and character references (parseXml refused any other before). */
function decodeReferences(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(REFERENCE, (_ref, name: string) =>
    name[0] === '#' ? String.fromCodePoint(codePointOf(name.slice(1))) : (PREDEFINED[name] as string),
  );
}

/** fromEntries defines own properties: an attribute named __proto__ stays an attribute. */
function decodeAttributes(raw: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(raw ?? {}).map(([name, value]) => [name, decodeReferences(value)]));
}

/**
 * fast-xml-parser's tree into cibsync's. Each raw node is let go as soon as it is converted, so the
 * two whole trees never coexist: a large document's parse peaks at about one tree, not two. The
 * indentation between elements (a text node beside almost every element of a CIB) is one shared node
 * per distinct text: trees are never changed once built, and it was a fifth of a large CIB's tree.
 */
function convert(raws: (RawNode | undefined)[], spaces = new Map<string, XmlNode>()): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i] as RawNode;
    raws[i] = undefined;
    if ('#text' in raw) nodes.push(textNode(decodeReferences(String(raw['#text'])), spaces));
    else if ('#comment' in raw) nodes.push({ kind: 'comment', text: textOf(raw['#comment']) });
    else if ('#cdata' in raw) nodes.push({ kind: 'cdata', text: textOf(raw['#cdata']) });
    else {
      const name = Object.keys(raw).find((k) => k !== ':@');
      if (name === undefined || name.startsWith('?')) continue; // processing instructions are not CIB content
      const attrs = decodeAttributes(raw[':@'] as Record<string, string> | undefined);
      nodes.push({ kind: 'element', name, attrs, children: convert(raw[name] as RawNode[], spaces) });
    }
  }
  return nodes;
}
