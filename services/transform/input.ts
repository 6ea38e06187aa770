// What the transform commands accept as input: a <configuration>, a whole <cib> (cibadmin -Q, the
// corpus files), or a cibsync publication, which also names the source site.
import { readFile } from 'node:fs/promises';
import { suppliedConfiguration } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import { PUBLICATION_ROOT, readPublication } from '../publication/index.js';
import { parseXml, type XmlElement } from '../xml/index.js';

export interface TransformInput {
  configuration: XmlElement;
  /** The publishing site, when the input is a publication. */
  sourceSite?: string;
}

export async function readTransformInput(path: string): Promise<TransformInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CibsyncError('CIBSYNC_USAGE', `cannot read ${path}: ${(err as Error).message}`);
  }
  const root = parseXml(text, { source: path });
  if (root.name === PUBLICATION_ROOT) {
    const publication = readPublication(text, { source: path });
    return { configuration: publication.configuration, sourceSite: publication.site };
  }
  return { configuration: suppliedConfiguration(root) };
}
