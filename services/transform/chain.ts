// A site's transform chain: the .xsl files of a directory, in name order (10-ip.xsl, 20-paths.xsl …),
// or an explicit list, each applied to the previous one's output. The result must be one
// <configuration> element, parsed strictly.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { CibsyncError, isCibsyncError } from '../errors.js';
import { parseXml, serialize, type XmlElement } from '../xml/index.js';
import type { TransformEngine } from './engine.js';

export interface ChainSpec {
  /** Directory holding the site's stylesheets. */
  dir: string;
  /** Explicit order (file names relative to `dir`, or absolute paths); default every *.xsl in `dir`, sorted. */
  files?: string[];
}

export async function resolveChain(spec: ChainSpec): Promise<string[]> {
  if (spec.files && spec.files.length > 0) return spec.files.map((f) => (isAbsolute(f) ? f : join(spec.dir, f)));
  let names: string[];
  try {
    names = await readdir(spec.dir);
  } catch (err) {
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', `transforms directory ${spec.dir}: ${(err as Error).message}`);
  }
  return names
    .filter((n) => n.endsWith('.xsl'))
    .sort()
    .map((n) => join(spec.dir, n));
}

export interface ChainParams {
  local_site: string;
  source_site: string;
  [name: string]: string;
}

/** Runs `stylesheets` in order over a <configuration> element; returns the resulting element. */
export async function runChain(
  engine: TransformEngine,
  stylesheets: string[],
  configuration: XmlElement,
  params: ChainParams,
): Promise<XmlElement> {
  let text = serialize(configuration);
  for (const stylesheet of stylesheets) text = await engine.transform(stylesheet, text, params);
  let result: XmlElement;
  try {
    result = parseXml(text, { source: `output of ${stylesheets.at(-1) ?? 'transform chain'}` });
  } catch (err) {
    if (isCibsyncError(err))
      throw new CibsyncError('CIBSYNC_TRANSFORM_OUTPUT_INVALID', err.message, { engine: engine.name });
    throw err;
  }
  if (result.name !== 'configuration') {
    throw new CibsyncError(
      'CIBSYNC_TRANSFORM_OUTPUT_INVALID',
      `transform chain produced <${result.name}>, not <configuration>`,
      { engine: engine.name },
    );
  }
  return result;
}
