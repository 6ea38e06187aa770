import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConfiguration, withoutHistory } from '../../services/cib/index.js';
import { defaultConfig } from '../../services/config/index.js';
import { spliceSiteLocal } from '../../services/pipeline/splice.js';
import { canonical, childElements, firstChild, parseXml, type XmlElement } from '../../services/xml/index.js';
import { makeSite, type Site } from '../helpers/sites.js';

const rules = defaultConfig().siteLocal;

const remote = parseXml(`<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-name" name="cluster-name" value="siteA"/><nvpair id="o-dc" name="dc-version" value="2.1.5-a"/>
    <nvpair id="o-limit" name="batch-limit" value="20"/>
  </cluster_property_set></crm_config>
  <nodes><node id="1" uname="a1"/></nodes>
  <resources>
    <primitive id="fence-a" class="stonith" type="fence_ipmilan"/>
    <primitive id="app" class="ocf" provider="heartbeat" type="Dummy"/>
    <group id="g-booth"><primitive id="booth-ip" class="ocf" provider="heartbeat" type="IPaddr2"/><primitive id="booth" class="ocf" provider="pacemaker" type="booth-site"/></group>
    <primitive id="pub" class="ocf" provider="cibsync" type="Publisher"/>
    <primitive id="a-only" class="ocf" provider="heartbeat" type="Dummy"/>
  </resources>
  <constraints>
    <rsc_location id="fence-a-loc" rsc="fence-a" node="a1" score="-INFINITY"/>
    <rsc_ticket id="pub-ticket" rsc="pub" ticket="T" loss-policy="stop"/>
    <rsc_ticket id="app-ticket" rsc="app" ticket="T" loss-policy="stop"/>
    <rsc_order id="set-order"><resource_set id="s1"><resource_ref id="app"/><resource_ref id="booth"/></resource_set></rsc_order>
  </constraints>
  <fencing-topology><fencing-level id="fl-a" target="a1" index="1" devices="fence-a"/></fencing-topology>
  <tags><tag id="cibsync-local"><obj_ref id="a-only"/></tag><tag id="apps"><obj_ref id="app"/><obj_ref id="fence-a"/></tag></tags>
</configuration>`);

const local = parseXml(`<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="o-name" name="cluster-name" value="siteB"/><nvpair id="o-stonith" name="stonith-enabled" value="true"/>
  </cluster_property_set></crm_config>
  <nodes><node id="1" uname="b1"><instance_attributes id="n1"><nvpair id="n1-r" name="rack" value="7"/></instance_attributes></node></nodes>
  <resources>
    <primitive id="fence-b" class="stonith" type="fence_ipmilan"/>
    <primitive id="b-only" class="ocf" provider="heartbeat" type="Dummy"/>
    <primitive id="old-app" class="ocf" provider="heartbeat" type="Dummy"/>
  </resources>
  <constraints><rsc_location id="fence-b-loc" rsc="fence-b" node="b1" score="-INFINITY"/><rsc_location id="old-loc" rsc="old-app" node="b1" score="10"/></constraints>
  <tags><tag id="cibsync-local"><obj_ref id="b-only"/></tag></tags>
</configuration>`);

const ids = (el: XmlElement | undefined) => (el ? childElements(el).map((c) => c.attrs.id) : []);

describe('spliceSiteLocal', () => {
  const { configuration: c, dropped, kept, replicatedResources } = spliceSiteLocal(remote, local, rules);

  it('keeps this site’s nodes and cluster-owned properties, the publication’s other properties', () => {
    expect(canonical(firstChild(c, 'nodes')!)).toBe(canonical(firstChild(local, 'nodes')!));
    const props = [...childElements(childElements(firstChild(c, 'crm_config')!)[0]!)].map(
      (nv) => `${nv.attrs.name}=${nv.attrs.value}`,
    );
    expect(props).toEqual(['batch-limit=20', 'cluster-name=siteB']);
  });

  it('drops the publication’s fencing, booth, cibsync and tagged resources and keeps this site’s', () => {
    expect(ids(firstChild(c, 'resources'))).toEqual(['app', 'fence-b', 'b-only']);
    expect(dropped).toEqual(expect.arrayContaining(['fence-a', 'g-booth', 'booth', 'pub', 'a-only']));
    expect(kept).toEqual(['fence-b', 'b-only', 'fence-b-loc']);
    expect(replicatedResources).toBe(1);
  });

  it('drops constraints on dropped resources, keeps those on kept ones, replaces fencing-topology', () => {
    expect(ids(firstChild(c, 'constraints'))).toEqual(['app-ticket', 'fence-b-loc']);
    expect(firstChild(c, 'fencing-topology')).toBeUndefined();
  });

  it('takes the site-local tag from this site and prunes references to dropped objects', () => {
    const tags = firstChild(c, 'tags')!;
    expect(canonical(tags)).toBe(
      '<tags><tag id="apps"><obj_ref id="app"/></tag><tag id="cibsync-local"><obj_ref id="b-only"/></tag></tags>',
    );
  });

  it('is idempotent: splicing its own result again changes nothing', () => {
    expect(canonical(spliceSiteLocal(c, c, rules).configuration)).toBe(canonical(c));
  });

  it('refuses a publication that reuses an id this site keeps', () => {
    const clash = parseXml(
      canonical(remote)
        .replace('id="app"', 'id="b-only"')
        .replace('rsc="app"', 'rsc="b-only"')
        .replace('<resource_ref id="app"/>', '<resource_ref id="b-only"/>')
        .replace('<obj_ref id="app"/>', ''),
    );
    expect(() => spliceSiteLocal(clash, local, rules)).toThrow(
      expect.objectContaining({ code: 'CIBSYNC_SPLICE_ID_CONFLICT' }),
    );
  });

  it('follows the configuration: with stonith off, fencing crosses', () => {
    const { configuration } = spliceSiteLocal(remote, local, { ...rules, stonith: false });
    expect(ids(firstChild(configuration, 'resources'))).toContain('fence-a');
  });
});

// Item 10: a group holding a fencing device and ordinary resources was kept local whole, so the
// ordinary resources never reached the other site, silently. Hand-written on the fixtures' sites and
// judged by the real crm_verify on site B's CIB.
describe('spliceSiteLocal: fencing devices inside replicated groups', () => {
  const fenceA =
    '<primitive id="fence-a-web" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-a-web-ia"><nvpair id="fence-a-web-hosts" name="pcmk_host_list" value="a1 a2"/></instance_attributes></primitive>';
  const fenceB =
    '<primitive id="fence-b-web" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-b-web-ia"><nvpair id="fence-b-web-hosts" name="pcmk_host_list" value="b1 b2"/></instance_attributes></primitive>';
  let site: Site;
  let siteA: Site;
  let bCib: XmlElement;
  let aConfiguration: XmlElement;
  beforeAll(async () => {
    site = makeSite('site-b.xml');
    siteA = makeSite('site-a.xml');
    bCib = await site.pacemaker.queryCib();
    // Site A puts a fencing device first in its web group (and constrains it).
    aConfiguration = parseXml(
      canonical(firstChild(await siteA.pacemaker.queryCib(), 'configuration')!)
        .replace('<group id="g-web">', `<group id="g-web">${fenceA}`)
        .replace(
          '<constraints>',
          '<constraints><rsc_location id="fence-a-web-loc" rsc="fence-a-web" node="a1" score="-INFINITY"/>',
        ),
    );
  });
  afterAll(() => {
    site?.cleanup();
    siteA?.cleanup();
  });

  const group = (c: XmlElement, id: string) =>
    childElements(firstChild(c, 'resources')!, 'group').find((g) => g.attrs.id === id);
  const verdictOf = async (c: XmlElement) => site.pacemaker.verify(withoutHistory(withConfiguration(bCib, c)));

  it('the group crosses without the source’s fencing device; crm_verify finds nothing new', async () => {
    const b = firstChild(bCib, 'configuration')!;
    const { configuration, dropped } = spliceSiteLocal(aConfiguration, b, rules);
    expect(ids(group(configuration, 'g-web'))).toEqual(['vip-web', 'fs-data', 'web']);
    expect(dropped).toEqual(expect.arrayContaining(['fence-a-web', 'fence-a-web-loc']));
    expect(canonical(configuration)).not.toContain('fence-a-web');
    const [before, after] = await Promise.all([site.pacemaker.verify(withoutHistory(bCib)), verdictOf(configuration)]);
    expect(after.errors.filter((e) => !before.errors.includes(e))).toEqual([]);
    expect(after.schemaErrors).toEqual([]);
  });

  it('this site’s own fencing device in that group stays, at its place in the group, with its constraints', async () => {
    const b = parseXml(
      canonical(spliceSiteLocal(aConfiguration, firstChild(bCib, 'configuration')!, rules).configuration)
        .replace('<group id="g-web">', `<group id="g-web">${fenceB}`)
        .replace(
          '<constraints>',
          '<constraints><rsc_location id="fence-b-web-loc" rsc="fence-b-web" node="b1" score="-INFINITY"/>',
        ),
    );
    const { configuration, kept } = spliceSiteLocal(aConfiguration, b, rules);
    expect(ids(group(configuration, 'g-web'))).toEqual(['fence-b-web', 'vip-web', 'fs-data', 'web']);
    expect(kept).toEqual(expect.arrayContaining(['fence-b-web', 'fence-b-web-loc']));
    expect(ids(firstChild(configuration, 'constraints'))).toContain('fence-b-web-loc');
    expect(canonical(spliceSiteLocal(aConfiguration, configuration, rules).configuration)).toBe(
      canonical(configuration),
    );
    expect((await verdictOf(configuration)).schemaErrors).toEqual([]);

    // The source drops the group: this site's fencing device is not lost with it.
    const noGroup = parseXml(
      canonical(aConfiguration)
        .replace(/<group id="g-web">.*?<\/group>/, '')
        .replace(/<rsc_(colocation|order)[^>]*g-web[^>]*\/>/g, ''),
    );
    const without = spliceSiteLocal(noGroup, b, rules).configuration;
    expect(group(without, 'g-web')).toBeUndefined();
    expect(ids(firstChild(without, 'resources'))).toContain('fence-b-web');
    expect((await verdictOf(without)).schemaErrors).toEqual([]);
  });

  it('refuses, naming it, a clone that mixes a fencing device with replicated resources; tagged cibsync-local it stays here whole', () => {
    const mixed = parseXml(
      canonical(aConfiguration)
        .replace(
          '<clone id="cl-ping">',
          `<clone id="cl-ping"><group id="g-ping">${fenceA.replace(/fence-a-web/g, 'fence-ping')}`,
        )
        .replace('</primitive></clone>', '</primitive></group></clone>'),
    );
    expect(ids(childElements(firstChild(mixed, 'resources')!, 'clone')[0])).toEqual(['g-ping']);
    expect(() => spliceSiteLocal(mixed, firstChild(bCib, 'configuration')!, rules)).toThrow(
      expect.objectContaining({ code: 'CIBSYNC_SPLICE_FENCING_MIXED', message: expect.stringContaining('cl-ping') }),
    );
    const tagged = parseXml(
      canonical(mixed).replace(
        '</configuration>',
        '<tags><tag id="cibsync-local"><obj_ref id="cl-ping"/></tag></tags></configuration>',
      ),
    );
    expect(
      ids(firstChild(spliceSiteLocal(tagged, firstChild(bCib, 'configuration')!, rules).configuration, 'resources')),
    ).not.toContain('cl-ping');
  });
});
