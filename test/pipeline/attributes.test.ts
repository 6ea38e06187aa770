import { describe, expect, it } from 'vitest';
import { parseNodeMap } from '../../services/config/index.js';
import { planAttributes, withAttributeChanges } from '../../services/pipeline/attributes.js';
import { parseXml, serialize } from '../../services/xml/index.js';

const local = parseXml(`<configuration><nodes>
  <node id="1" uname="b1"><instance_attributes id="n1">
    <nvpair id="n1-a" name="role" value="primary"/><nvpair id="n1-b" name="old" value="x"/><nvpair id="n1-c" name="admins" value="mine"/>
  </instance_attributes></node>
  <node id="2" uname="b2"/>
</nodes></configuration>`);

describe('planAttributes', () => {
  it('sets only what differs, maps servers, skips excluded and unmapped', () => {
    const plan = planAttributes(
      local,
      { a1: { role: 'primary', weight: '4', standby: 'on' }, a2: { role: 'secondary' }, a3: { role: 'x' } },
      { a1: 'b1', a2: 'b2' },
      ['standby'],
      {},
    );
    expect(plan.changes).toEqual([
      { node: 'b1', name: 'weight', change: 'set', value: '4', previous: undefined },
      { node: 'b2', name: 'role', change: 'set', value: 'secondary', previous: undefined },
    ]);
    expect(plan.unmapped).toEqual(['a3']);
    // "role" on b1 was already there: not ours.
    expect(plan.owned).toEqual({ b1: { weight: '4' }, b2: { role: 'secondary' } });
  });

  it('deletes what cibsync set and the publication dropped, unless changed since; never others', () => {
    const plan = planAttributes(local, { a1: {} }, { a1: 'b1' }, [], { b1: { old: 'x', role: 'was-different' } });
    expect(plan.changes).toEqual([{ node: 'b1', name: 'old', change: 'deleted', previous: 'x' }]);
    expect(plan.owned).toEqual({});
  });
});

describe('node names that are Object.prototype members (item 3)', () => {
  // JSON.parse makes own properties, as a publication, a state file or a config file would.
  const names = ['constructor', '__proto__', 'toString'];
  const localNodes = parseXml(
    `<configuration><nodes>${names.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join('')}<node id="9" uname="b1"/></nodes></configuration>`,
  );

  it('are unmapped when the node map does not name them, never resolved to functions', () => {
    const published = JSON.parse(
      '{"constructor":{"role":"x"},"__proto__":{"role":"y"},"toString":{"role":"z"},"a1":{"role":"p"}}',
    );
    const plan = planAttributes(localNodes, published, parseNodeMap('a1=b1'), [], {});
    expect(plan.unmapped.sort()).toEqual([...names].sort());
    expect(plan.changes).toEqual([{ node: 'b1', name: 'role', change: 'set', value: 'p', previous: undefined }]);
  });

  it('map, own, and are written like any other node', () => {
    const published = JSON.parse(
      '{"constructor":{"role":"x"},"__proto__":{"role":"y"},"toString":{"constructor":"z"}}',
    );
    const plan = planAttributes(
      localNodes,
      published,
      parseNodeMap('constructor=constructor,__proto__=__proto__,toString=toString'),
      [],
      JSON.parse('{"toString":{"gone":"1"}}'),
    );
    expect(plan.unmapped).toEqual([]);
    expect(plan.changes.map((c) => `${c.node}.${c.name}=${c.value}`).sort()).toEqual([
      '__proto__.role=y',
      'constructor.role=x',
      'toString.constructor=z',
    ]);
    expect(JSON.parse(JSON.stringify(plan.owned))).toEqual(
      JSON.parse('{"constructor":{"role":"x"},"__proto__":{"role":"y"},"toString":{"constructor":"z"}}'),
    );
    const candidate = parseXml(serialize(localNodes));
    withAttributeChanges(candidate, plan.changes);
    expect(serialize(candidate)).toMatch(
      /uname="__proto__"><instance_attributes id="nodes-2"><nvpair id="nodes-2-role" name="role" value="y"\/>/,
    );
  });
});

describe('withAttributeChanges', () => {
  it('sets, adds and deletes in <nodes> where crm_attribute would, with ids that do not collide', () => {
    const candidate = parseXml(
      serialize(local).replace('<node id="2" uname="b2"/>', '<node id="2" uname="b2"/><node id="nodes-2" uname="x"/>'),
    );
    withAttributeChanges(candidate, [
      { node: 'b1', name: 'role', change: 'set', value: 'secondary' },
      { node: 'b1', name: 'old', change: 'deleted', previous: 'x' },
      { node: 'b2', name: 'weight', change: 'set', value: '4' },
    ]);
    const nodes = serialize(candidate);
    expect(nodes).toMatch(/<nvpair id="n1-a" name="role" value="secondary"\/>/);
    expect(nodes).not.toMatch(/name="old"/);
    expect(nodes).toMatch(
      /<node id="2" uname="b2"><instance_attributes id="nodes-2-1"><nvpair id="nodes-2-weight" name="weight" value="4"\/><\/instance_attributes><\/node>/,
    );
  });
});

describe('attribute ids', () => {
  it('are valid XML IDs even when the attribute name is not (master-rsc:0)', () => {
    const candidate = parseXml('<configuration><nodes><node id="101" uname="b1"/></nodes></configuration>');
    withAttributeChanges(candidate, [{ node: 'b1', name: 'master-ocf_msdummy:0', change: 'set', value: '1000' }]);
    expect(serialize(candidate)).toContain(
      '<nvpair id="nodes-101-master-ocf_msdummy.0" name="master-ocf_msdummy:0" value="1000"/>',
    );
  });
});
