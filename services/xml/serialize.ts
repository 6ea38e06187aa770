// Writes the tree back as XML, and defines the canonical form that equality and digests use.
import { createHash } from 'node:crypto';
import type { XmlElement, XmlNode } from './tree.js';

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

export function escapeAttr(value: string): string {
  return value.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c] as string);
}

function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] as string);
}

export interface SerializeOptions {
  /** Canonical form: attributes sorted by name, whitespace-only text dropped, no indentation. */
  canonical?: boolean;
  /** Indent element-only content by two spaces per level (ignored in canonical form). */
  indent?: boolean;
}

/**
 * Collects the output in flat pieces of about 64 KiB and hands each to `sink`. Keeping every tag and
 * attribute as its own small string (an array, or a rope built by +=) cost several times the size
 * of the result for a large CIB.
 */
class Output {
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly sink: (piece: string) => void) {}

  push(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length >= 65_536) this.flush();
  }

  flush(): void {
    if (this.parts.length > 0) this.sink(this.parts.join(''));
    this.parts = [];
    this.length = 0;
  }
}

export function serialize(node: XmlNode, options: SerializeOptions = {}): string {
  const pieces: string[] = [];
  serializeTo(node, (piece) => pieces.push(piece), options);
  return pieces.join('');
}

/**
 * serialize() handed to `sink` in pieces of about 64 KiB, in order, without building the whole text:
 * a file or a hash fed this way costs no copy of a large document.
 */
export function serializeTo(node: XmlNode, sink: (piece: string) => void, options: SerializeOptions = {}): void {
  const out = new Output(sink);
  write(node, options, 0, out);
  out.flush();
}

/** serialize() with an XML declaration and a final newline, for files. */
export function toDocument(root: XmlElement, options: SerializeOptions = { indent: true }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root, options)}\n`;
}

function write(node: XmlNode, options: SerializeOptions, depth: number, out: Output): void {
  switch (node.kind) {
    case 'text':
      if (!(options.canonical && node.text.trim() === '')) out.push(escapeText(node.text));
      return;
    case 'comment':
      out.push(`<!--${node.text}-->`);
      return;
    case 'cdata':
      out.push(options.canonical ? escapeText(node.text) : `<![CDATA[${node.text}]]>`);
      return;
    case 'element':
      break;
  }
  const names = Object.keys(node.attrs);
  if (options.canonical) names.sort();
  out.push(`<${node.name}`);
  for (const name of names) out.push(` ${name}="${escapeAttr(node.attrs[name] as string)}"`);
  const children = options.canonical ? canonicalChildren(node) : node.children;
  if (children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  const indent =
    !options.canonical && options.indent && children.every((c) => c.kind !== 'text' || c.text.trim() === '');
  for (const child of children) {
    if (indent && child.kind === 'text') continue;
    if (indent) out.push(`\n${'  '.repeat(depth + 1)}`);
    write(child, options, depth + 1, out);
  }
  if (indent) out.push(`\n${'  '.repeat(depth)}`);
  out.push(`</${node.name}>`);
}

export function canonical(node: XmlNode): string {
  return serialize(node, { canonical: true });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256(canonical(node)) without building the canonical text: a publication's digest costs no copy of it. */
export function canonicalDigest(node: XmlNode): string {
  const hash = createHash('sha256');
  serializeTo(node, (piece) => hash.update(piece, 'utf8'), { canonical: true });
  return hash.digest('hex');
}

/** What the canonical form keeps of an element's children: all but whitespace-only text. */
function canonicalChildren(el: XmlElement): XmlNode[] {
  return el.children.filter((c) => !(c.kind === 'text' && c.text.trim() === ''));
}

/**
 * Canonical equality: same elements, attributes, values, comments and order; whitespace aside.
 * The same answer as comparing canonical() strings, walked on the trees so that nothing is built.
 */
export function sameXml(a: XmlNode, b: XmlNode): boolean {
  if (a.kind === 'element' && b.kind === 'element') {
    if (a.name !== b.name) return false;
    const names = Object.keys(a.attrs);
    if (names.length !== Object.keys(b.attrs).length) return false;
    for (const name of names) if (!Object.hasOwn(b.attrs, name) || a.attrs[name] !== b.attrs[name]) return false;
    const ac = canonicalChildren(a);
    const bc = canonicalChildren(b);
    return ac.length === bc.length && ac.every((child, i) => sameXml(child, bc[i] as XmlNode));
  }
  // Text and CDATA are one thing in canonical form; comments stay comments.
  const flat = (n: XmlNode) => (n.kind === 'cdata' ? 'text' : n.kind);
  return flat(a) === flat(b) && a.kind !== 'element' && b.kind !== 'element' && a.text === b.text;
}
