// The import pipeline's public shapes, shared by the CLI, the subscriber daemon and the approval flow.
import type { CibVersion } from '../cib/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Pacemaker, Verdict } from '../pacemaker/index.js';
import type { XmlElement } from '../xml/index.js';

export interface PipelineContext {
  config: Config;
  pacemaker: Pacemaker;
  logger: Logger;
  /** Run every step up to (not including) the write; report what would change. */
  dryRun?: boolean;
}

export interface ObjectChange {
  /** resource | constraint | property | rsc_default | op_default | tag | node-attribute | … */
  kind: string;
  id: string;
  change: 'added' | 'removed' | 'changed';
  /** For a changed object: the attributes/nvpairs that differ, as "name: old → new". */
  details: string[];
}

export interface AttributeChange {
  node: string;
  name: string;
  change: 'set' | 'deleted';
  value?: string;
  previous?: string;
}

export interface ImportResult {
  outcome: 'applied' | 'unchanged' | 'dry-run';
  source: {
    site: string;
    ticket: string;
    /** The scopes of a scoped publication (format 3); absent: the whole configuration. */
    scopes?: string[];
    adminEpoch: number;
    epoch: number;
    digest: string;
    created: string;
  };
  changes: ObjectChange[];
  attributes: AttributeChange[];
  baselineVerdict: Verdict;
  candidateVerdict: Verdict;
  /** The local CIB version before, and after when something was written. */
  before: CibVersion;
  after?: CibVersion;
  /** Path of the backup taken before writing. */
  backup?: string;
  /** How the configuration was written, always one versioned patch: crm_diff's (`patch`) or whole sections (`sections`). */
  method?: 'patch' | 'sections';
  /** The configuration the import judged (absent when the publication was recognised as already applied: nothing was computed). */
  candidate?: XmlElement;
}
