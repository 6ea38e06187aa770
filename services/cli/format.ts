// Terminal output of import results: short, named, greppable.
import type { Verdict } from '../pacemaker/index.js';
import type { ImportResult } from '../pipeline/index.js';

export function formatVerdict(v: Verdict): string {
  const messages = [...v.schemaErrors, ...v.errors]
    .map((m) => `    error: ${m}`)
    .concat(v.warnings.map((m) => `    warning: ${m}`));
  return [`${v.level}`, ...messages].join('\n');
}

export function formatImportResult(r: ImportResult): string {
  const lines: string[] = [];
  const s = r.source;
  lines.push(
    `source: site ${s.site}, ticket ${s.ticket || '(none)'}, epoch ${s.adminEpoch}.${s.epoch}, digest ${s.digest.slice(0, 16)}…, created ${s.created}`,
  );
  lines.push(`outcome: ${r.outcome}${r.method ? ` (${r.method})` : ''}`);
  const after = r.after ? ` → ${r.after.admin_epoch}.${r.after.epoch}` : '';
  lines.push(`local CIB: epoch ${r.before.admin_epoch}.${r.before.epoch}${after}`);
  if (r.backup) lines.push(`backup: ${r.backup}`);
  lines.push(`configuration changes: ${r.changes.length === 0 ? 'none' : r.changes.length}`);
  for (const c of r.changes) {
    lines.push(`  ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.kind} ${c.id}`);
    for (const d of c.details.slice(0, 8)) lines.push(`      ${d}`);
  }
  lines.push(`node attributes: ${r.attributes.length === 0 ? 'no change' : r.attributes.length}`);
  for (const a of r.attributes)
    lines.push(
      `  ${a.change === 'set' ? '~' : '-'} ${a.node} ${a.name}${a.change === 'set' ? `=${a.value}${a.previous !== undefined ? ` (was ${a.previous})` : ''}` : ''}`,
    );
  lines.push(`crm_verify: before ${formatVerdict(r.baselineVerdict)}`);
  lines.push(`crm_verify: candidate ${formatVerdict(r.candidateVerdict)}`);
  return `${lines.join('\n')}\n`;
}
