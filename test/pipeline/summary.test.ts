import { describe, expect, it } from 'vitest';
import { summarizeChanges } from '../../services/pipeline/summary.js';
import { parseXml } from '../../services/xml/index.js';

describe('summarizeChanges', () => {
  it('names added, removed and changed objects and properties', () => {
    const before =
      parseXml(`<configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="batch-limit" value="20"/></cluster_property_set></crm_config>
      <resources><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.1"/></instance_attributes></primitive>
      <primitive id="gone" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/></configuration>`);
    const after =
      parseXml(`<configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="batch-limit" value="30"/><nvpair id="o2" name="stop-all-resources" value="false"/></cluster_property_set></crm_config>
      <resources><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.1.0.1"/></instance_attributes></primitive>
      <primitive id="new" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints><rsc_location id="l" rsc="new" node="n" score="1"/></constraints></configuration>`);
    expect(summarizeChanges(before, after)).toEqual([
      { kind: 'resource', id: 'vip', change: 'changed', details: ['ip.value: 10.0.0.1 → 10.1.0.1'] },
      { kind: 'resource', id: 'gone', change: 'removed', details: [] },
      { kind: 'property', id: 'batch-limit', change: 'changed', details: ['20 → 30'] },
      { kind: 'resource', id: 'new', change: 'added', details: [] },
      { kind: 'constraint', id: 'l', change: 'added', details: [] },
      { kind: 'property', id: 'stop-all-resources', change: 'added', details: ['value false'] },
    ]);
  });

  it('reports nothing for equal configurations', () => {
    const c = parseXml(
      '<configuration><resources><primitive id="p" class="ocf" provider="heartbeat" type="Dummy"/></resources></configuration>',
    );
    expect(summarizeChanges(c, c)).toEqual([]);
  });
});
