// Step 5: judge the candidate as a whole CIB (this site's status + the candidate configuration) and
// refuse it when crm_verify thinks worse of it than of the baseline.
import { VERDICT_RANK, type VerdictLevel, withConfiguration, withoutHistory } from '../cib/index.js';
import { CibsyncError } from '../errors.js';
import type { Pacemaker, Verdict } from '../pacemaker/index.js';
import type { SourceVerdict } from '../publication/index.js';
import type { XmlElement } from '../xml/index.js';

export interface VerifyPolicy {
  /** 'local': no worse than this site's current CIB. 'source': also tolerate what the source itself had. */
  baseline: 'local' | 'source';
  sourceVerdict: SourceVerdict;
}

export interface VerifyOutcome {
  /** crm_verify on this site's CIB without resource history (remembered by content: usually no run). */
  baseline: Verdict;
  /** crm_verify on this site's nodes and tickets with the candidate configuration, without resource history. */
  candidate: Verdict;
}

/**
 * One crm_verify of the candidate, and one of the baseline that the tool layer remembers by content
 * (the local CIB is the same round after round). Both are judged and reported without resource
 * history, like the source verdict in a publication: what the transition itself provokes (an orphan
 * "might be active on 2 nodes" while a removed clone is being stopped) is the change, not a defect
 * of the configuration. The whole-CIB runs this replaces added two more crm_verify runs of the
 * largest input (the history) and were only ever reported, never judged.
 */
export async function verifyCandidate(
  pacemaker: Pacemaker,
  localCib: XmlElement,
  candidate: XmlElement,
  policy: VerifyPolicy,
): Promise<VerifyOutcome> {
  const localNow = withoutHistory(localCib);
  const [baseline, verdict] = await Promise.all([
    pacemaker.verify(localNow),
    pacemaker.verify(withConfiguration(localNow, candidate)),
  ]);
  if (verdict.schemaErrors.length > 0) {
    throw new CibsyncError(
      'CIBSYNC_CANDIDATE_SCHEMA_INVALID',
      `the candidate configuration does not validate: ${verdict.schemaErrors.slice(0, 5).join('; ')}`,
      { crm_verify: verdict },
    );
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
      `crm_verify rates the candidate configuration "${verdict.level}", worse than the ${policy.baseline} baseline "${level}": ${messages.slice(0, 5).join('; ')}`,
      { crm_verify: verdict, baseline: level },
    );
  }
  return { baseline, candidate: verdict };
}
