import { describe, expect, it } from 'vitest';
import { canonical, parseXml, sameXml, serialize } from '../../services/xml/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('parseXml', () => {
  it('reads elements, attributes, comments and character references', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<!-- lead --><a x="1&#10;2&lt;" y="&quot;"><!-- c --><b>t&amp;&#x41;</b></a>\n',
    );
    expect(root.name).toBe('a');
    expect(root.attrs).toEqual({ x: '1\n2<', y: '"' });
    expect(root.children[0]).toEqual({ kind: 'comment', text: ' c ' });
    expect(serialize(root)).toBe('<a x="1&#10;2&lt;" y="&quot;"><!-- c --><b>t&amp;A</b></a>');
  });

  it.each([
    [
      'truncated',
      '<configuration><resources><primitive id="p1"/><primitive id="p2" class="ocf"',
      'CIBSYNC_XML_MALFORMED',
    ],
    ['unclosed root', '<configuration><crm_config/><nodes/><resources/><constraints/>', 'CIBSYNC_XML_MALFORMED'],
    ['mismatched tag', '<a><b></a>', 'CIBSYNC_XML_MALFORMED'],
    ['two roots', '<a/><b/>', 'CIBSYNC_XML_MALFORMED'],
    ['text after the root', '<a/>junk', 'CIBSYNC_XML_MALFORMED'],
    ['text before the root', 'junk<a/>', 'CIBSYNC_XML_MALFORMED'],
    ['empty', '', 'CIBSYNC_XML_MALFORMED'],
    ['bare ampersand', '<a x="b & c"/>', 'CIBSYNC_XML_MALFORMED'],
    ['DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', 'CIBSYNC_XML_DOCTYPE'],
    ['external entity', '<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>', 'CIBSYNC_XML_DOCTYPE'],
    ['undefined entity', '<a>&nbsp;</a>', 'CIBSYNC_XML_ENTITY'],
    ['duplicate attribute', '<a x="1" x="2"/>', 'CIBSYNC_XML_MALFORMED'],
    ['"--" inside a comment', '<a><!-- a -- b --></a>', 'CIBSYNC_XML_MALFORMED'],
    ['a reference to NUL', '<a x="&#0;"/>', 'CIBSYNC_XML_MALFORMED'],
    ['a reference past U+10FFFF', '<a>&#x110000;</a>', 'CIBSYNC_XML_MALFORMED'],
    ['a reference to a lone surrogate', '<a>&#xD800;</a>', 'CIBSYNC_XML_MALFORMED'],
    ['a raw control character', '<a x="\u0001"/>', 'CIBSYNC_XML_MALFORMED'],
    ['a lone surrogate', '<a>\uD800</a>', 'CIBSYNC_XML_MALFORMED'],
    ['an XML declaration after the start', '<!-- c --><?xml version="1.0"?><a/>', 'CIBSYNC_XML_MALFORMED'],
    ["']]>' in text", '<a>x ]]> y</a>', 'CIBSYNC_XML_MALFORMED'],
    ['attributes without a space between them', '<a x="1"y="2"/>', 'CIBSYNC_XML_MALFORMED'],
    ["'<' in an attribute value", '<a x="<"/>', 'CIBSYNC_XML_MALFORMED'],
    ['an unquoted attribute value', '<a x=1/>', 'CIBSYNC_XML_MALFORMED'],
    ['a truncated comment', '<a><!-- c </a>', 'CIBSYNC_XML_MALFORMED'],
    ['a truncated CDATA section', '<a><![CDATA[ c </a>', 'CIBSYNC_XML_MALFORMED'],
    ['nesting 300 deep', `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`, 'CIBSYNC_XML_TOO_DEEP'],
    ['nesting 100,000 deep', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, 'CIBSYNC_XML_TOO_DEEP'],
  ])('refuses %s', (_name, text, code) => {
    expect(codeOf(() => parseXml(text))).toBe(code);
  });

  it('decodes each reference once: &amp;#10; is the text "&#10;", not a newline', () => {
    expect(parseXml('<a x="&amp;#10;&#38;lt;">&amp;amp;&#x1F600;</a>')).toEqual({
      kind: 'element',
      name: 'a',
      attrs: { x: '&#10;&lt;' },
      children: [{ kind: 'text', text: '&amp;\u{1F600}' }],
    });
  });

  it('accepts an ampersand inside CDATA and comments', () => {
    expect(parseXml('<a><![CDATA[x & y]]><!-- & --></a>').name).toBe('a');
  });

  it('enforces the size limit', () => {
    expect(codeOf(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 50 }))).toBe('CIBSYNC_XML_TOO_LARGE');
  });
});

describe('canonical form', () => {
  it('ignores whitespace and attribute order, not values or comments', () => {
    const a = parseXml('<a x="1" y="2">\n  <b/>\n</a>');
    expect(sameXml(a, parseXml('<a y="2" x="1"><b/></a>'))).toBe(true);
    expect(sameXml(a, parseXml('<a y="2" x="3"><b/></a>'))).toBe(false);
    expect(sameXml(a, parseXml('<a y="2" x="1"><!--c--><b/></a>'))).toBe(false);
    expect(canonical(a)).toBe('<a x="1" y="2"><b/></a>');
  });

  it('round-trips newlines and tabs in attribute values', () => {
    const text = serialize(parseXml('<a v="l1&#10;l2&#9;x"/>'));
    expect(parseXml(text).attrs.v).toBe('l1\nl2\tx');
  });
});

describe('sameXml', () => {
  // The tree walk must give the answer the canonical strings give.
  const docs = [
    '<a x="1" y="2"><b/><!-- c --><c>t</c></a>',
    '<a y="2" x="1">\n  <b/>\n  <!-- c --><c>t</c></a>',
    '<a x="1" y="2"><b/><!-- d --><c>t</c></a>',
    '<a x="1" y="3"><b/><!-- c --><c>t</c></a>',
    '<a x="1"><b/><!-- c --><c>t</c></a>',
    '<a x="1" y="2"><b/><!-- c --><c><![CDATA[t]]></c></a>',
    '<a x="1" y="2"><b/><!-- c --><c>u</c></a>',
    '<a x="1" y="2"><b/><c>t</c><!-- c --></a>',
    '<a x="1" y="2" z=""><b/><!-- c --><c>t</c></a>',
    '<z x="1" y="2"><b/><!-- c --><c>t</c></z>',
  ].map((t) => parseXml(t));
  it('agrees with canonical equality on every pair', () => {
    for (const x of docs) for (const y of docs) expect(sameXml(x, y)).toBe(canonical(x) === canonical(y));
  });
});
