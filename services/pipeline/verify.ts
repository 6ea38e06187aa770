// Step 5: judge the candidate as a whole CIB (this site's status + the candidate configuration) and
// refuse it when crm_verify thinks worse of it than of the baseline.
import { CibsyncError } from '../errors.js';
import { VERDICT_RANK, type Pacemaker, type Verdict, type VerdictLevel } from '../pacemaker/index.js';
import type { SourceVerdict } from '../publication/index.js';
import { clone, type XmlElement } from '../xml/index.js';

/** A copy of `cib` whose <configuration> is `configuration`. */
export function withConfiguration(cib: XmlElement, configuration: XmlElement): XmlElement {
  const copy = clone(cib);
  copy.children = copy.children.map((c) => (c.kind === 'element' && c.name === 'configuration' ? clone(configuration) : c));
  return copy;
}

export interface VerifyPolicy {
  /** 'local': no worse than this site's current CIB. 'source': also tolerate what the source itself had. */
  baseline: 'local' | 'source';
  sourceVerdict: SourceVerdict;
}

export interface VerifyOutcome {
  baseline: Verdict;
  candidate: Verdict;
}

export async function verifyCandidate(pacemaker: Pacemaker, localCib: XmlElement, candidate: XmlElement, policy: VerifyPolicy): Promise<VerifyOutcome> {
  const [baseline, verdict] = await Promise.all([pacemaker.verify(localCib), pacemaker.verify(withConfiguration(localCib, candidate))]);
  if (verdict.schemaErrors.length > 0) {
    throw new CibsyncError('CIBSYNC_CANDIDATE_SCHEMA_INVALID', `the candidate configuration does not validate: ${verdict.schemaErrors.slice(0, 5).join('; ')}`, { crm_verify: verdict });
  }
  const tolerated = new Set(baseline.errors);
  let level: VerdictLevel = baseline.level;
  if (policy.baseline === 'source') {
    for (const m of policy.sourceVerdict.messages) if (m.level === 'error') tolerated.add(m.text);
    if (VERDICT_RANK[policy.sourceVerdict.level] > VERDICT_RANK[level]) level = policy.sourceVerdict.level;
  }
  const newErrors = verdict.errors.filter((e) => !tolerated.has(e));
  if (VERDICT_RANK[verdict.level] > VERDICT_RANK[level] || newErrors.length > 0) {
    const messages = newErrors.length > 0 ? newErrors : verdict.warnings.filter((w) => !baseline.warnings.includes(w));
    throw new CibsyncError(
      'CIBSYNC_CANDIDATE_WORSE',
      `crm_verify rates the candidate "${verdict.level}", worse than the ${policy.baseline} baseline "${level}": ${messages.slice(0, 5).join('; ')}`,
      { crm_verify: verdict, baseline: level },
    );
  }
  return { baseline, candidate: verdict };
}
