// The section replace as a patch: only the sections that differ, deletes before creates, each create
// at its final position, and no patch where sections cannot say the change; applied by cibadmin to a
// real CIB file, it gives the candidate and leaves the rest (status included) as it was.
import { describe, expect, it } from 'vitest';
import { configurationOfCib, sectionReplacement, versionOf } from '../../services/cib/index.js';
import { canonical, parseXml, sameXml } from '../../services/xml/index.js';
import { makeSite } from '../helpers/sites.js';

const FROM = parseXml(
  '<configuration><crm_config><cluster_property_set id="o"/></crm_config><nodes><node id="1" uname="n1"/></nodes><resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration>',
);
const edit = (from: string, to: string) => parseXml(canonical(FROM).replace(from, to));

describe('sectionReplacement', () => {
  it('deletes and creates only the sections that differ, at their place', () => {
    const to = edit('type="Dummy"', 'type="Stateful"');
    const replace = sectionReplacement(FROM, to);
    expect(replace?.sections).toEqual(['resources']);
    expect(canonical(replace?.patch ?? FROM)).toBe(
      `<diff format="2"><change operation="delete" path="/cib/configuration/resources"/><change operation="create" path="/cib/configuration" position="2">${canonical(to.children[2] as never)}</change></diff>`,
    );
  });

  it('adds a section the local configuration lacks and removes one the candidate lacks, positions counted in the candidate', () => {
    const to = edit('<constraints/>', '<tags><tag id="t"><obj_ref id="a"/></tag></tags>');
    const replace = sectionReplacement(FROM, to);
    expect(replace?.sections).toEqual(['constraints', 'tags']);
    const changes = replace?.patch.children.map((c) => (c.kind === 'element' ? c.attrs : {}));
    expect(changes).toEqual([
      { operation: 'delete', path: '/cib/configuration/constraints' },
      { operation: 'create', path: '/cib/configuration', position: '3' },
    ]);
  });

  it('an unchanged configuration gives an empty patch', () => {
    expect(sectionReplacement(FROM, parseXml(canonical(FROM)))?.sections).toEqual([]);
  });

  it('says nothing where sections cannot carry the change: a comment, a repeated section, another order, other attributes', () => {
    expect(sectionReplacement(FROM, edit('<constraints/>', '<!-- x --><constraints/>'))).toBeUndefined();
    expect(sectionReplacement(FROM, edit('<constraints/>', '<constraints/><constraints/>'))).toBeUndefined();
    const swapped = parseXml(
      canonical(FROM)
        .replace(/(<nodes>.*<\/nodes>)(<resources>.*<\/resources>)/, '$2$1')
        .replace('Dummy', 'Stateful'),
    );
    expect(sectionReplacement(FROM, edit('<crm_config>', '<crm_config x="1">'))).toBeDefined();
    expect(sectionReplacement(FROM, swapped)).toBeDefined(); // resources is replaced, so only nodes is kept: in order
    const reordered = parseXml(canonical(FROM).replace(/(<crm_config>.*<\/crm_config>)(<nodes>.*<\/nodes>)/, '$2$1'));
    expect(sectionReplacement(FROM, reordered)).toBeUndefined();
    expect(sectionReplacement(FROM, edit('<configuration>', '<configuration x="1">'))).toBeUndefined();
  });

  it('cibadmin applies it, versioned, to a CIB file: the candidate, the status untouched', async () => {
    const b = makeSite('site-b.xml');
    try {
      const before = await b.pacemaker.queryCib();
      const local = configurationOfCib(before);
      const candidate = parseXml(
        canonical(local)
          .replace('score="-INFINITY"', 'score="-1000"')
          .replace('<nodes>', '<tags><tag id="t"><obj_ref id="fence-b"/></tag></tags><nodes>'),
      );
      const replace = sectionReplacement(local, candidate);
      expect(replace?.sections).toEqual(['constraints', 'tags']);
      await b.pacemaker.write((w) => w.patch(replace?.patch ?? local, versionOf(before)));
      const after = await b.pacemaker.queryCib();
      expect(sameXml(configurationOfCib(after), candidate)).toBe(true);
      expect(versionOf(after)).toMatchObject({ epoch: versionOf(before).epoch + 1 });
      expect(canonical(after.children.find((c) => c.kind === 'element' && c.name === 'status') ?? after)).toBe(
        canonical(before.children.find((c) => c.kind === 'element' && c.name === 'status') ?? before),
      );
    } finally {
      b.cleanup();
    }
  });
});
