// Node entries, their permanent attributes (as the pipeline reads them and as a publication carries
// them) and the cluster name, read from a configuration.
import { describe, expect, it } from 'vitest';
import { attributesByNode, clusterName, nodeAttributesOf, nodesByName } from '../../services/cib/index.js';
import { parseXml } from '../../services/xml/index.js';

const CONFIGURATION = parseXml(`<configuration>
  <crm_config>
    <cluster_property_set id="opts"><nvpair id="o-1" name="stonith-enabled" value="true"/></cluster_property_set>
    <cluster_property_set id="more"><nvpair id="o-2" name="cluster-name" value=""/><nvpair id="o-3" name="cluster-name" value="siteA"/></cluster_property_set>
  </crm_config>
  <nodes>
    <node id="1" uname="n1">
      <instance_attributes id="n1-a"><nvpair id="n1-a-1" name="role" value="db"/><nvpair id="n1-a-2" name="role" value="web"/></instance_attributes>
      <instance_attributes id="n1-b"><nvpair id="n1-b-1" name="rack" value="r7"/><nvpair id="n1-b-2" value="nameless"/></instance_attributes>
    </node>
    <node id="2"/>
    <node id="3" uname="__proto__"><instance_attributes id="p"><nvpair id="p-1" name="constructor" value="x"/></instance_attributes></node>
  </nodes>
</configuration>`);

describe('nodesByName and attributesByNode', () => {
  it('names nodes by uname, else id, and reads every node (the last nvpair of a name wins)', () => {
    const nodes = nodesByName(CONFIGURATION);
    expect([...nodes.keys()]).toEqual(['n1', '2', '__proto__']);
    const attributes = attributesByNode(nodes);
    expect(Object.fromEntries(attributes.get('n1') ?? [])).toEqual({ role: 'web', rack: 'r7' });
    expect(attributes.get('2')?.size).toBe(0);
    expect(attributes.get('__proto__')?.get('constructor')).toBe('x');
  });

  it('finds no nodes in a configuration without <nodes>', () => {
    expect(nodesByName(parseXml('<configuration/>')).size).toBe(0);
  });
});

describe('nodeAttributesOf', () => {
  it('gives the nodes with attributes as own properties, __proto__ included', () => {
    const attributes = nodeAttributesOf(CONFIGURATION);
    expect(Object.keys(attributes)).toEqual(['n1', '__proto__']);
    expect(attributes.n1).toEqual({ role: 'web', rack: 'r7' });
    expect(Object.hasOwn(attributes, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  });
});

describe('clusterName', () => {
  it('is the first non-empty cluster-name property of any property set', () => {
    expect(clusterName(CONFIGURATION)).toBe('siteA');
  });

  it('is undefined without one', () => {
    expect(clusterName(parseXml('<configuration><crm_config/></configuration>'))).toBeUndefined();
    expect(clusterName(parseXml('<configuration/>'))).toBeUndefined();
  });
});
