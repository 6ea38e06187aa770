// Runtime attributes (docs/publication.md, "Runtime attributes"): a publisher's transient node
// attributes become transient attributes of the mapped local servers (nodeMap, and under a
// `<remote>:` prefix on runtimeAttributes.prefixedNodeMap's standbys), written with crm_attribute
// --lifetime reboot. The ownership rules are the permanent attributes': only changed values are
// written, and what cibsync set and left the publisher's document is deleted, unless someone changed
// it since; what cibsync never set is never deleted.
import { CibsyncError } from '../errors.js';
import { type RuntimeDocument, readRuntime, runtimeNameFilter } from '../publication/index.js';
import { readOwnedAttributes, writeOwnedAttributes } from '../state/ownership.js';
import { mapAttributes, planAttributeChanges, recordOwnershipAhead } from './attributes.js';
import { checkOrigin } from './origin.js';
import type { AttributeChange, PipelineContext } from './types.js';

/** A fetched runtime document, read strictly and its signer checked against `trust` as a publication's is. */
export function readRuntimeChecked(
  text: string,
  ctx: Pick<PipelineContext, 'config'>,
  source = 'runtime document',
): RuntimeDocument {
  const document = readRuntime(text, { maxBytes: ctx.config.maxPublicationBytes, source });
  checkOrigin(document, ctx.config);
  return document;
}

export interface RuntimeWrite {
  changes: AttributeChange[];
  /** Remote servers with attributes but no local server to take them. */
  unmapped: string[];
}

/**
 * Writes `document`'s allowed attributes onto the local servers, under the CIB write lock: the current
 * transient attributes are read there, so the plan is made on what the write lands on.
 */
export function writeRuntimeAttributes(document: RuntimeDocument, ctx: PipelineContext): Promise<RuntimeWrite> {
  const { config, pacemaker } = ctx;
  const { names, prefixedNodeMap } = config.runtimeAttributes;
  if (names.length === 0)
    throw new CibsyncError('CIBSYNC_CONFIG_INVALID', 'runtimeAttributes.names is empty: no runtime attribute is taken');
  return pacemaker.write(async (writer) => {
    const [current, previouslyOwned] = await Promise.all([
      pacemaker.queryTransientAttributes(),
      readOwnedAttributes(config.stateDir, 'runtime'),
    ]);
    const { desired, unmapped } = mapAttributes(
      document.attributes,
      current,
      config.nodeMap,
      prefixedNodeMap,
      runtimeNameFilter(names),
    );
    const plan = planAttributeChanges(current, desired, previouslyOwned);
    if (plan.changes.length > 0) {
      // Recorded ahead, so a kill between the write and the record still lets cibsync delete what it set.
      await recordOwnershipAhead(config.stateDir, previouslyOwned, plan, 'runtime');
      await writer.transientAttributes(
        plan.changes.map(({ node, name, change, value }) => ({
          node,
          name,
          value: change === 'set' ? value : undefined,
        })),
      );
    }
    if (JSON.stringify(plan.owned) !== JSON.stringify(previouslyOwned))
      await writeOwnedAttributes(config.stateDir, plan.owned, 'runtime');
    return { changes: plan.changes, unmapped };
  });
}
