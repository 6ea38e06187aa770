// A site's chain as the import pipeline runs it (services/pipeline): the configured stylesheets, the
// configured parameters, and local_site / source_site, so `transform run` and `transform lint`
// show exactly what an import would apply.
import { CibsyncError } from '../errors.js';
import type { XmlElement } from '../xml/index.js';
import { resolveChain, runChain, type ChainParams } from './chain.js';
import { createEngine, type EngineName } from './engine.js';

/** What a site's chain needs of the settings, under the configuration model's names (config sits above transform). */
export interface ChainSettings {
  site?: string;
  transforms?: string;
  transformChain: string[];
  transformParams: Record<string, string>;
  engine: EngineName;
}

export interface SiteRun {
  stylesheets: string[];
  params: ChainParams;
  output: XmlElement;
}

export function hasChain(config: Pick<ChainSettings, 'transforms' | 'transformChain'>): boolean {
  return config.transforms !== undefined || config.transformChain.length > 0;
}

export async function runSiteChain(config: ChainSettings, configuration: XmlElement, sourceSite: string, extraParams: Record<string, string> = {}): Promise<SiteRun> {
  if (!hasChain(config)) throw new CibsyncError('CIBSYNC_USAGE', 'no transform chain configured: give --transforms DIR (and --chain) or set transforms/transformChain in the config file');
  if (!config.site) throw new CibsyncError('CIBSYNC_USAGE', 'the local site is not known: give --site NAME or set site in the config file');
  const stylesheets = await resolveChain({ dir: config.transforms ?? '.', files: config.transformChain });
  const params: ChainParams = { ...config.transformParams, ...extraParams, local_site: config.site, source_site: sourceSite };
  const output = await runChain(await createEngine(config.engine), stylesheets, configuration, params);
  return { stylesheets, params, output };
}

/** "--param k=v" values → { k: v }. */
export function parseParams(list: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at < 1) throw new CibsyncError('CIBSYNC_USAGE', `--param '${item}': expected NAME=VALUE`);
    params[item.slice(0, at)] = item.slice(at + 1);
  }
  return params;
}
