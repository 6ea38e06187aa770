// XSLT engines behind one interface. xsltproc (libxslt, what Pacemaker itself uses for schema
// upgrades) is the default; xslt-processor (pure JS) is opt-in only, for its known defects see
// docs/transforms.md.
import { CibsyncError } from '../errors.js';
import { ENGINE_NAMES, type EngineName, type TransformEngine } from './engine-interface.js';

export { ENGINE_NAMES, type EngineName, type TransformEngine } from './engine-interface.js';

export async function createEngine(name: EngineName): Promise<TransformEngine> {
  switch (name) {
    case 'xsltproc':
      return new (await import('./xsltproc.js')).XsltprocEngine();
    case 'xslt-processor':
      return new (await import('./xslt-processor.js')).XsltProcessorEngine();
    default:
      throw new CibsyncError(
        'CIBSYNC_CONFIG_INVALID',
        `unknown XSLT engine '${String(name)}' (known: ${ENGINE_NAMES.join(', ')})`,
      );
  }
}
