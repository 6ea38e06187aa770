// The one in-memory shape of XML inside cibsync. Attributes keep their document order
// (a plain object keeps string keys in insertion order).

export interface XmlElement {
  kind: 'element';
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export interface XmlText {
  kind: 'text';
  text: string;
}
export interface XmlComment {
  kind: 'comment';
  text: string;
}
export interface XmlCdata {
  kind: 'cdata';
  text: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment | XmlCdata;

export function element(name: string, attrs: Record<string, string> = {}, children: XmlNode[] = []): XmlElement {
  return { kind: 'element', name, attrs: { ...attrs }, children };
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node !== undefined && node.kind === 'element';
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element' && (name === undefined || c.name === name));
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => c.kind === 'element' && c.name === name);
}

/** Returns the child element `name`, creating it (appended) when missing. */
export function ensureChild(el: XmlElement, name: string): XmlElement {
  const found = firstChild(el, name);
  if (found) return found;
  const created = element(name);
  el.children.push(created);
  return created;
}

/** Every element below `el` (and `el` itself), depth first, document order. */
export function* descendants(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const child of el.children) if (child.kind === 'element') yield* descendants(child);
}

export function clone<T extends XmlNode>(node: T): T {
  if (node.kind !== 'element') return { ...node };
  return { kind: 'element', name: node.name, attrs: { ...node.attrs }, children: node.children.map(clone) } as T;
}

/**
 * A new element with the same name and attributes over the same children (a list of its own): for
 * building a changed tree that shares what it does not change. Trees are never changed once built
 * and handed on; only such a copy is.
 */
export function shallowCopy(el: XmlElement): XmlElement {
  return { kind: 'element', name: el.name, attrs: { ...el.attrs }, children: [...el.children] };
}

export function removeChildren(el: XmlElement, drop: (child: XmlElement) => boolean): XmlElement[] {
  const removed: XmlElement[] = [];
  el.children = el.children.filter((c) => {
    if (c.kind === 'element' && drop(c)) {
      removed.push(c);
      return false;
    }
    return true;
  });
  return removed;
}

/** Drops whitespace-only text nodes everywhere below `el`: CIB content has no mixed text. */
export function stripWhitespace(el: XmlElement): XmlElement {
  el.children = el.children.filter((c) => !(c.kind === 'text' && c.text.trim() === ''));
  for (const c of el.children) if (c.kind === 'element') stripWhitespace(c);
  return el;
}
