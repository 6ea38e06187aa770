// Strict XML parsing, the only place in cibsync that parses XML: one pass over the text that builds
// cibsync's tree directly and refuses what is not well-formed XML (truncation, mismatched tags,
// several roots, stray text, unescaped '&', undefined entities, DOCTYPE, "--" in a comment,
// characters XML does not allow). fast-xml-parser did this in three passes (its validator, its
// parser, a conversion of its tree into this one) with regular-expression checks around them for
// what it let through: 2.7 s and three trees' worth of garbage for a 7.6 MB CIB; this pass takes a
// tenth of that (docs/benchmarks.md, "Node-side XML work").
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

export function parseXml(text: string, options: ParseOptions = {}): XmlElement {
  const source = options.source ?? 'document';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Counting bytes costs a pass; a text that is short enough in UTF-16 units × 3 cannot be too large.
  if (text.length * 3 > maxBytes) {
    const size = Buffer.byteLength(text, 'utf8');
    if (size > maxBytes)
      throw new CibsyncError('CIBSYNC_XML_TOO_LARGE', `${source}: ${size} bytes is over the limit of ${maxBytes}`, {
        size,
        maxBytes,
      });
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new CibsyncError('CIBSYNC_XML_DOCTYPE', `${source}: DOCTYPE and entity declarations are not accepted`);
  const bad = NOT_XML_CHAR.exec(text);
  if (bad)
    new Reader(text, source).fail(
      bad.index,
      `character U+${(bad[0].codePointAt(0) ?? 0).toString(16)} is not allowed in XML`,
    );
  // XML 2.11: every CR LF and lone CR reads as LF (a reference &#13; stays a CR), as libxml2 reads it.
  return new Reader(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text, source).document();
}

/** XML 3.3.3: a literal tab or newline in an attribute value reads as a space (a reference stays itself). */
const ATTRIBUTE_WHITESPACE = /[\t\n]/g;

/** Characters XML 1.0 does not allow raw: C0 controls but tab, newline and return; U+FFFE, U+FFFF; lone surrogates. */
const NOT_XML_CHAR = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}${String.fromCharCode(11, 12)}${String.fromCharCode(14)}-${String.fromCharCode(31)}\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`,
);

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const EQ = 61; // =
const QUOTE = 34; // "
const APOS = 39; // '
const BANG = 33; // !
const QUESTION = 63; // ?

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** XML's NameStartChar, ASCII exactly and every non-ASCII letter range approximated by "not ASCII". */
function isNameStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

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

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,10})|#x([0-9a-fA-F]{1,8}));/y;
const FOREIGN = /[^\s;<>&"']{0,40};?/y;

class Reader {
  private pos = 0;
  /** One shared node per distinct whitespace-only text: the indentation of a CIB is a fifth of its nodes. */
  private readonly spaces = new Map<string, XmlNode>();

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(at: number, why: string, code: 'CIBSYNC_XML_MALFORMED' | 'CIBSYNC_XML_ENTITY' = 'CIBSYNC_XML_MALFORMED'): never {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i !== -1 && i < at; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const col = at - lineStart + 1;
    throw new CibsyncError(code, `${this.source}: line ${line}, column ${col}: ${why}`, { line, col });
  }

  document(): XmlElement {
    const { text } = this;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpaces();
      if (this.pos >= text.length) break;
      if (text.charCodeAt(this.pos) !== LT) this.fail(this.pos, 'text outside the root element');
      const next = text.charCodeAt(this.pos + 1);
      if (next === QUESTION) this.instruction(root === undefined);
      else if (text.startsWith('<!--', this.pos)) this.comment();
      else if (next === BANG) this.fail(this.pos, 'markup outside the root element');
      else if (root) this.fail(this.pos, 'more than one root element');
      else root = this.element();
    }
    if (!root) this.fail(this.pos, 'no root element');
    return root;
  }

  private skipSpaces(): void {
    const { text } = this;
    while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos++;
  }

  private name(): string {
    const { text } = this;
    const start = this.pos;
    if (!isNameStart(text.charCodeAt(start))) this.fail(start, 'a name was expected');
    let end = start + 1;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    this.pos = end;
    return text.slice(start, end);
  }

  /** `<?target …?>`: dropped (processing instructions are not CIB content); the XML declaration only first. */
  private instruction(prolog: boolean): void {
    const start = this.pos;
    const end = this.text.indexOf('?>', start + 2);
    if (end === -1) this.fail(start, 'unterminated processing instruction');
    this.pos = start + 2;
    const target = this.name();
    if (target.toLowerCase() === 'xml' && !(prolog && start === (this.text.charCodeAt(0) === 0xfeff ? 1 : 0)))
      this.fail(start, 'the XML declaration is allowed only at the start of the document');
    this.pos = end + 2;
  }

  private comment(): XmlNode {
    const start = this.pos + 4;
    const end = this.text.indexOf('-->', start);
    if (end === -1) this.fail(this.pos, 'unterminated comment');
    const body = this.text.slice(start, end);
    // XML forbids "--" inside a comment (and a comment ending in "--->"); libxslt refuses both.
    if (body.includes('--') || body.endsWith('-')) this.fail(this.pos, '"--" inside a comment');
    this.pos = end + 3;
    return { kind: 'comment', text: body };
  }

  /** An element and everything in it; iterative, so depth is bounded by MAX_DEPTH, not by the stack. */
  private element(): XmlElement {
    const { text } = this;
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (root) return root;
      } else this.content(top);
      if (this.pos >= text.length) this.fail(this.pos, `<${top?.name}> is not closed`);
      // At '<' of a start tag or an end tag.
      if (text.charCodeAt(this.pos + 1) === SLASH) {
        const at = this.pos;
        this.pos += 2;
        const name = this.name();
        this.skipSpaces();
        if (text.charCodeAt(this.pos) !== GT) this.fail(this.pos, `'>' expected after </${name}`);
        this.pos++;
        if (top === undefined || name !== top.name)
          this.fail(at, `closing tag </${name}> does not match <${top?.name ?? ''}>`);
        stack.pop();
        continue;
      }
      const { el, empty } = this.startTag();
      if (top) top.children.push(el);
      else root = el;
      if (!empty) {
        if (stack.length >= MAX_DEPTH)
          throw new CibsyncError(
            'CIBSYNC_XML_TOO_DEEP',
            `${this.source}: elements nested deeper than ${MAX_DEPTH} levels`,
            { maxDepth: MAX_DEPTH },
          );
        stack.push(el);
      }
    }
  }

  /** Text, comments, CDATA and instructions inside `el`, up to the next start or end tag (or the end). */
  private content(el: XmlElement): void {
    const { text } = this;
    while (this.pos < text.length) {
      const lt = text.indexOf('<', this.pos);
      const end = lt === -1 ? text.length : lt;
      if (end > this.pos) el.children.push(this.textNode(this.pos, end));
      this.pos = end;
      if (lt === -1) return;
      const next = text.charCodeAt(lt + 1);
      if (next === BANG) {
        if (text.startsWith('<!--', lt)) el.children.push(this.comment());
        else if (text.startsWith('<![CDATA[', lt)) {
          const close = text.indexOf(']]>', lt + 9);
          if (close === -1) this.fail(lt, 'unterminated CDATA section');
          el.children.push({ kind: 'cdata', text: text.slice(lt + 9, close) });
          this.pos = close + 3;
        } else this.fail(lt, 'unexpected markup declaration');
      } else if (next === QUESTION) this.instruction(false);
      else return;
    }
  }

  private textNode(start: number, end: number): XmlNode {
    const raw = this.text.slice(start, end);
    const close = raw.indexOf(']]>');
    if (close !== -1) this.fail(start + close, "']]>' in text");
    const value = this.decode(raw, start);
    if (value.trim() !== '') return { kind: 'text', text: value };
    let node = this.spaces.get(value);
    if (!node) {
      node = { kind: 'text', text: value };
      this.spaces.set(value, node);
    }
    return node;
  }

  private startTag(): { el: XmlElement; empty: boolean } {
    const { text } = this;
    this.pos++;
    const name = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = this.pos;
      this.skipSpaces();
      const c = text.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        return { el: { kind: 'element', name, attrs, children: [] }, empty: false };
      }
      if (c === SLASH) {
        if (text.charCodeAt(this.pos + 1) !== GT) this.fail(this.pos, "'>' expected after '/'");
        this.pos += 2;
        return { el: { kind: 'element', name, attrs, children: [] }, empty: true };
      }
      if (this.pos >= text.length) this.fail(this.pos, `<${name}> is not closed`);
      if (this.pos === before) this.fail(this.pos, `a space is needed before an attribute of <${name}>`);
      const at = this.pos;
      const attr = this.name();
      this.skipSpaces();
      if (text.charCodeAt(this.pos) !== EQ) this.fail(this.pos, `'=' expected after attribute ${attr}`);
      this.pos++;
      this.skipSpaces();
      const quote = text.charCodeAt(this.pos);
      if (quote !== QUOTE && quote !== APOS) this.fail(this.pos, `the value of attribute ${attr} is not quoted`);
      const close = text.indexOf(quote === QUOTE ? '"' : "'", this.pos + 1);
      if (close === -1) this.fail(this.pos, `the value of attribute ${attr} is not closed`);
      const raw = text.slice(this.pos + 1, close);
      const lt = raw.indexOf('<');
      if (lt !== -1) this.fail(this.pos + 1 + lt, `'<' in the value of attribute ${attr}`);
      if (Object.hasOwn(attrs, attr)) this.fail(at, `attribute ${attr} given twice`);
      const value = this.decode(raw.replace(ATTRIBUTE_WHITESPACE, ' '), this.pos + 1);
      // An attribute named __proto__ must stay an attribute, not become the object's prototype.
      if (attr === '__proto__')
        Object.defineProperty(attrs, attr, { value, enumerable: true, writable: true, configurable: true });
      else attrs[attr] = value;
      this.pos = close + 1;
    }
  }

  /** The five predefined entities and character references decoded, each once; any other '&' refused. */
  private decode(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let from = 0;
    while (amp !== -1) {
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(raw);
      if (!m) {
        FOREIGN.lastIndex = amp + 1;
        const ref = `&${FOREIGN.exec(raw)?.[0] ?? ''}`;
        if (ref.endsWith(';')) this.fail(offset + amp, `undefined entity ${ref}`, 'CIBSYNC_XML_ENTITY');
        this.fail(offset + amp, `unescaped '&' (at "${ref}")`);
      }
      let value: string;
      if (m[1] !== undefined) value = PREDEFINED[m[1]] as string;
      else {
        const cp = m[2] !== undefined ? Number.parseInt(m[2], 10) : Number.parseInt(m[3] as string, 16);
        if (!isXmlChar(cp)) this.fail(offset + amp, `character reference ${m[0]} names no XML character`);
        value = String.fromCodePoint(cp);
      }
      out += raw.slice(from, amp) + value;
      from = amp + m[0].length;
      amp = raw.indexOf('&', from);
    }
    return out + raw.slice(from);
  }
}
