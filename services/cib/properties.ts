// Cluster properties of a configuration (<crm_config>).
import { childElements, firstChild, type XmlElement } from '../xml/index.js';

/** The cluster-name property: the site's name when none is configured. */
export function clusterName(configuration: XmlElement): string | undefined {
  const crmConfig = firstChild(configuration, 'crm_config');
  for (const set of crmConfig ? childElements(crmConfig, 'cluster_property_set') : []) {
    for (const nv of childElements(set, 'nvpair'))
      if (nv.attrs.name === 'cluster-name' && nv.attrs.value) return nv.attrs.value;
  }
  return undefined;
}
