// The sections of a CIB document: which <configuration> is taken (and what is refused, with which
// code), a configuration put in place, and a status without resource history.
import { describe, expect, it } from 'vitest';
import {
  configurationOfCib,
  suppliedConfiguration,
  withConfiguration,
  withoutHistory,
} from '../../services/cib/index.js';
import { canonical, firstChild, parseXml, serialize, type XmlElement } from '../../services/xml/index.js';

const CIB = `<cib admin_epoch="0" epoch="5" num_updates="2">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online">
      <transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="s-1" name="fail-count" value="3"/></instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources><lrm_resource id="a" class="ocf" type="Dummy"><lrm_rsc_op id="a_last_0" operation="start" rc-code="1"/></lrm_resource></lrm_resources></lrm>
    </node_state>
    <tickets><ticket_state id="t1" granted="true"/></tickets>
  </status>
</cib>`;

const refusedWith = (code: string) => expect.objectContaining({ code });

describe('configurationOfCib', () => {
  it("takes the CIB's <configuration>", () => {
    expect(configurationOfCib(parseXml(CIB)).name).toBe('configuration');
    expect(firstChild(configurationOfCib(parseXml(CIB)), 'resources')).toBeDefined();
  });

  it('refuses a CIB without one as a Pacemaker failure', () => {
    expect(() => configurationOfCib(parseXml('<cib epoch="1"><status/></cib>'))).toThrow(
      refusedWith('CIBSYNC_PCMK_ERROR'),
    );
  });
});

describe('suppliedConfiguration', () => {
  it('takes a <configuration> itself, or the one inside a <cib>', () => {
    const configuration = parseXml('<configuration><resources/></configuration>');
    expect(suppliedConfiguration(configuration)).toBe(configuration);
    const cib = parseXml(CIB);
    expect(suppliedConfiguration(cib)).toBe(firstChild(cib, 'configuration'));
  });

  it('refuses anything else as a usage error naming the element', () => {
    expect(() => suppliedConfiguration(parseXml('<resources/>'))).toThrow(refusedWith('CIBSYNC_USAGE'));
    expect(() => suppliedConfiguration(parseXml('<cib/>'))).toThrow(
      /expected a <configuration>, a <cib> or a publication, got <cib>/,
    );
  });
});

describe('withConfiguration', () => {
  it('gives a new root holding the new configuration, shared not copied (trees are not changed once built), and leaves both inputs alone', () => {
    const cib = parseXml(CIB);
    const before = serialize(cib);
    const replacement = parseXml('<configuration><crm_config/><nodes/><resources/><constraints/></configuration>');
    const copy = withConfiguration(cib, replacement);
    expect(canonical(configurationOfCib(copy))).toBe(canonical(replacement));
    expect(configurationOfCib(copy)).toBe(replacement);
    expect(copy).not.toBe(cib);
    expect(copy.attrs).toEqual(cib.attrs);
    expect(firstChild(copy, 'status')).toBeDefined();
    expect(serialize(cib)).toBe(before);
  });
});

describe('withoutHistory', () => {
  it('keeps node entries (their attributes only) and tickets, drops the resource history and transient attributes', () => {
    const cib = parseXml(CIB);
    const before = serialize(cib);
    const status = firstChild(withoutHistory(cib), 'status') as XmlElement;
    expect(serialize(status)).toBe(
      '<status><node_state id="1" uname="n1" in_ccm="true" crmd="online"/><tickets><ticket_state id="t1" granted="true"/></tickets></status>',
    );
    expect(serialize(cib)).toBe(before);
  });

  it('leaves a CIB without status as it is', () => {
    expect(canonical(withoutHistory(parseXml('<cib><configuration/></cib>')))).toBe(
      canonical(parseXml('<cib><configuration/></cib>')),
    );
  });
});
