import { describe, expect, it } from 'vitest';
import { planAttributes } from '../../services/pipeline/attributes.js';
import { parseXml } from '../../services/xml/index.js';

const local = parseXml(`<configuration><nodes>
  <node id="1" uname="b1"><instance_attributes id="n1">
    <nvpair id="n1-a" name="role" value="primary"/><nvpair id="n1-b" name="old" value="x"/><nvpair id="n1-c" name="admins" value="mine"/>
  </instance_attributes></node>
  <node id="2" uname="b2"/>
</nodes></configuration>`);

describe('planAttributes', () => {
  it('sets only what differs, maps servers, skips excluded and unmapped', () => {
    const plan = planAttributes(local, { a1: { role: 'primary', weight: '4', standby: 'on' }, a2: { role: 'secondary' }, a3: { role: 'x' } }, { a1: 'b1', a2: 'b2' }, ['standby'], {});
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
