// Strict XML parsing, the only place in cibsync that parses XML: one pass over the text straight
// into the tree (tree.ts), refusing what is not well-formed. It replaced fast-xml-parser, whose
// validator, parser and converted tree took three passes and about 19 times the document's size in
// memory (docs/benchmarks.md). No DOCTYPE, no entities but the five predefined ones and character
// references, no nesting past MAX_DEPTH (the tree code recurses).
import { CibsyncError, type ErrorCode } from '../errors.js';
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

// Names as XML 1.0 allows them, with any character past U+00BF counted as a name character.
const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9._:\u00B7\u00C0-\uFFFF]*/y;
// One attribute, with the whitespace that must come before it; a value holds no '<'.
const ATTRIBUTE = /[ \t\r\n]+([A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9._:\u00B7\u00C0-\uFFFF]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^<"]*)"|'([^<']*)')/y;
const TAG_END = /[ \t\r\n]*(\/?)>/y;
const END_TAG_END = /[ \t\r\n]*>/y;
// Characters XML forbids anywhere (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF).
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const REFERENCE = /&([^\s;<>&"']{0,40})(;?)/g;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's Char production: what a character reference may name. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function isWhitespace(text: string): boolean {
  return text.trim() === '';
}

class Reader {
  private pos = 0;
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  private fail(why: string, code: ErrorCode = 'CIBSYNC_XML_MALFORMED', at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    throw new CibsyncError(code, `${this.source}: line ${line}, column ${col}: ${why}`, { line, col });
  }

  read(): XmlElement {
    const { text } = this;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    while (this.pos < text.length) {
      const lt = text.indexOf('<', this.pos);
      const end = lt === -1 ? text.length : lt;
      if (end > this.pos) this.addText(text.slice(this.pos, end));
      if (lt === -1) break;
      this.pos = lt;
      if (text.startsWith('<!--', lt)) this.comment();
      else if (text.startsWith('<![CDATA[', lt)) this.cdata();
      else if (text.startsWith('<?', lt)) this.skipPast(2, '?>', 'processing instruction');
      else if (text.startsWith('</', lt)) this.endTag();
      else if (text.startsWith('<!', lt)) this.fail('markup declaration');
      else this.startTag();
    }
    const open = this.stack.at(-1);
    if (open) this.fail(`<${open.name}> is not closed (truncated document?)`);
    if (!this.root) this.fail('no root element');
    return this.root;
  }

  private addText(raw: string): void {
    const parent = this.stack.at(-1);
    if (!parent) {
      if (!isWhitespace(raw)) this.fail(this.root ? 'text after the root element' : 'text before the root element');
      return;
    }
    parent.children.push({ kind: 'text', text: this.decode(raw, this.pos) });
  }

  /** Adds a comment or CDATA node to the open element; outside the root only comments may stand. */
  private addNode(node: XmlNode): void {
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(node);
    else if (node.kind !== 'comment') this.fail('CDATA outside the root element');
  }

  /** Moves past the construct opened at pos (`opener` long) and returns where it started. */
  private skipPast(opener: number, terminator: string, what: string): number {
    const close = this.text.indexOf(terminator, this.pos + opener);
    if (close === -1) this.fail(`unterminated ${what}`);
    const start = this.pos;
    this.pos = close + terminator.length;
    return start;
  }

  private comment(): void {
    const start = this.skipPast(4, '-->', 'comment');
    const body = this.text.slice(start + 4, this.pos - 3);
    // XML forbids "--" inside a comment (and a final "-"); libxslt refuses both.
    if (body.includes('--') || body.endsWith('-')) this.fail('"--" inside a comment', 'CIBSYNC_XML_MALFORMED', start);
    this.addNode({ kind: 'comment', text: body });
  }

  private cdata(): void {
    const start = this.skipPast(9, ']]>', 'CDATA section');
    this.addNode({ kind: 'cdata', text: this.text.slice(start + 9, this.pos - 3) });
  }

  private name(at: number): string {
    NAME.lastIndex = at;
    const m = NAME.exec(this.text);
    if (!m) this.fail('expected an element name', 'CIBSYNC_XML_MALFORMED', at);
    return m[0];
  }

  private startTag(): void {
    const { text } = this;
    const name = this.name(this.pos + 1);
    let at = this.pos + 1 + name.length;
    const entries: [string, string][] = [];
    const seen = new Set<string>();
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const m = ATTRIBUTE.exec(text);
      if (!m) break;
      const attr = m[1] as string;
      if (seen.has(attr)) this.fail(`attribute ${attr} repeated in <${name}>`, 'CIBSYNC_XML_MALFORMED', at);
      seen.add(attr);
      entries.push([attr, this.decode(m[2] ?? m[3] ?? '', at)]);
      at = ATTRIBUTE.lastIndex;
    }
    TAG_END.lastIndex = at;
    const end = TAG_END.exec(text);
    if (!end) this.fail(`malformed start tag <${name}> (an attribute without a quoted value, a '<' in a value, or the document ends)`, 'CIBSYNC_XML_MALFORMED', at);
    // fromEntries defines own properties: an attribute named __proto__ stays an attribute.
    const element: XmlElement = { kind: 'element', name, attrs: Object.fromEntries(entries), children: [] };
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    else if (this.root) this.fail('more than one root element');
    else this.root = element;
    this.pos = TAG_END.lastIndex;
    if (end[1] === '/') return;
    if (this.stack.length >= MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH} levels`, 'CIBSYNC_XML_TOO_DEEP');
    this.stack.push(element);
  }

  private endTag(): void {
    const name = this.name(this.pos + 2);
    END_TAG_END.lastIndex = this.pos + 2 + name.length;
    if (!END_TAG_END.exec(this.text)) this.fail(`malformed end tag </${name}>`);
    const open = this.stack.pop();
    if (open?.name !== name) this.fail(open ? `expected closing tag </${open.name}>, found </${name}>` : `closing tag </${name}> closes nothing`);
    this.pos = END_TAG_END.lastIndex;
  }

  /** Decodes the five predefined entities and character references; refuses any other reference and a bare '&'. */
  private decode(value: string, at: number): string {
    if (!value.includes('&')) return value;
    return value.replace(REFERENCE, (ref, name: string, semicolon: string) => {
      if (!semicolon) this.fail(`unescaped '&' (at "${ref}")`, 'CIBSYNC_XML_MALFORMED', at);
      const predefined = PREDEFINED[name];
      if (predefined !== undefined && Object.hasOwn(PREDEFINED, name)) return predefined;
      const numeric = /^#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,10}))$/.exec(name);
      if (!numeric) this.fail(`undefined entity ${ref}`, 'CIBSYNC_XML_ENTITY', at);
      const cp = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number.parseInt(numeric[2] as string, 10);
      if (!isXmlChar(cp)) this.fail(`character reference ${ref} names no XML character`, 'CIBSYNC_XML_MALFORMED', at);
      return String.fromCodePoint(cp);
    });
  }
}

export function parseXml(text: string, options: ParseOptions = {}): XmlElement {
  const source = options.source ?? 'document';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new CibsyncError('CIBSYNC_XML_TOO_LARGE', `${source}: ${size} bytes is over the limit of ${maxBytes}`, { size, maxBytes });
  }
  // Anywhere, CDATA and comments included: such a document is refused whole, never half-read.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new CibsyncError('CIBSYNC_XML_DOCTYPE', `${source}: DOCTYPE and entity declarations are not accepted`);
  }
  if (FORBIDDEN_CHARACTER.test(text)) throw new CibsyncError('CIBSYNC_XML_MALFORMED', `${source}: a control character XML does not allow`);
  return new Reader(text, source).read();
}
