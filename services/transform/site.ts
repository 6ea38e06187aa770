// A site's chain, the one function that runs it: the import pipeline's transform step
// (services/pipeline), `transform run` and `transform lint` all call runSiteChain, so the tools show
// exactly what an import would apply. The configured stylesheets get the configured parameters and
// local_site / source_site. A chain with no `site` setting is refused, naming the setting: a
// stylesheet that rewrites by `$local_site` would otherwise be handed an empty name and silently
// match nothing.
import { CibsyncError } from '../errors.js';
import type { XmlElement } from '../xml/index.js';
import { type ChainParams, resolveChain, runChain } from './chain.js';
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
  /** The engine that ran the chain. */
  engine: string;
  stylesheets: string[];
  params: ChainParams;
  output: XmlElement;
}

export function hasChain(config: Pick<ChainSettings, 'transforms' | 'transformChain'>): boolean {
  return !!config.transforms || config.transformChain.length > 0;
}

/** The site's stylesheets, in the order the chain runs them (none without a chain). */
export async function siteStylesheets(config: Pick<ChainSettings, 'transforms' | 'transformChain'>): Promise<string[]> {
  if (!hasChain(config)) return [];
  return resolveChain({ dir: config.transforms ?? '.', files: config.transformChain });
}

export async function runSiteChain(
  config: ChainSettings,
  configuration: XmlElement,
  sourceSite: string,
  extraParams: Record<string, string> = {},
): Promise<SiteRun> {
  if (!hasChain(config))
    throw new CibsyncError(
      'CIBSYNC_USAGE',
      'no transform chain configured: give --transforms DIR (and --chain) or set transforms/transformChain in the config file',
    );
  if (!config.site) {
    throw new CibsyncError(
      'CIBSYNC_CONFIG_INVALID',
      "setting site: this site's name is not set, and the transform chain needs it (as local_site); set site in the config file (or give --site NAME)",
      { key: 'site' },
    );
  }
  const stylesheets = await siteStylesheets(config);
  const params: ChainParams = {
    ...config.transformParams,
    ...extraParams,
    local_site: config.site,
    source_site: sourceSite,
  };
  const engine = await createEngine(config.engine);
  const output = await runChain(engine, stylesheets, configuration, params);
  return { engine: engine.name, stylesheets, params, output };
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
