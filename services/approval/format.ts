// How a plan reads: in a terminal during an incident, and as XML for tools.
import type { SimulatedAction } from '../pacemaker/index.js';
import { element, toDocument } from '../xml/index.js';
import type { PlanRecord } from './record.js';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export function describeAction(a: SimulatedAction): string {
  const where =
    a.action === 'migrate' || a.action === 'move'
      ? `${a.source ?? '?'} → ${a.dest ?? '?'}`
      : a.node
        ? `on ${a.node}`
        : '';
  return `${a.action} ${a.resource} ${where}${a.reason ? ` (due to ${a.reason})` : ''}`.replace(/\s+/g, ' ').trim();
}

export function formatPlanText(p: PlanRecord): string {
  const s = p.source;
  const lines = [
    `Plan ${p.id}: ${p.status.toUpperCase()}${p.edited ? ' (edited)' : ''}`,
    `  from site ${s.site} (ticket ${s.ticket || 'none'}${s.scopes ? `, scope ${s.scopes.join(' + ')}` : ''}), epoch ${s.adminEpoch}.${s.epoch}, published ${s.created}, digest ${s.digest.slice(0, 16)}…`,
    `  made ${p.createdAt} against this site's CIB at epoch ${p.localVersion.admin_epoch}.${p.localVersion.epoch}`,
    '',
    `What changes in the configuration (${p.changes.length}):`,
    ...(p.changes.length === 0
      ? ['  nothing']
      : p.changes.flatMap((c) => [
          `  ${MARK[c.change]} ${c.kind} ${c.id} ${c.change}`,
          ...c.details.slice(0, 10).map((d) => `      ${d}`),
        ])),
    '',
    `Node attributes (${p.attributes.changes.length}):`,
    ...(p.attributes.changes.length === 0
      ? ['  no change']
      : p.attributes.changes.map((a) =>
          a.change === 'set'
            ? `  ~ ${a.node}: ${a.name}=${a.value}${a.previous !== undefined ? ` (was ${a.previous})` : ' (new)'}`
            : `  - ${a.node}: ${a.name} deleted (was ${a.previous})`,
        )),
    '',
    `What the cluster here would do (crm_simulate) (${p.transition.length}):`,
    ...(p.transition.length === 0 ? ['  no resource actions'] : p.transition.map((a) => `  * ${describeAction(a)}`)),
    '',
    `crm_verify: candidate ${p.verdict.candidate.level} (this site now: ${p.verdict.baseline.level})`,
    ...[
      ...p.verdict.candidate.errors.map((m) => `  error: ${m}`),
      ...p.verdict.candidate.warnings.map((m) => `  warning: ${m}`),
    ],
    ...(p.decisions.length === 0
      ? []
      : [
          '',
          'Decisions:',
          ...p.decisions.map((d) => `  ${d.at} ${d.action} by ${d.by}${d.reason ? `: ${d.reason}` : ''}`),
        ]),
  ];
  if (p.error) lines.push(`Last error: ${p.error.code}: ${p.error.message}`);
  if (p.status === 'pending')
    lines.push(
      '',
      `Decide: cibsync plan approve ${p.id} | cibsync plan edit ${p.id} | cibsync plan reject ${p.id} --reason "…"`,
    );
  return `${lines.join('\n')}\n`;
}

/** What became of a publication in manual mode (`cibsync import`, `cibsync replicate-now`). */
export function formatPlanOutcome(p: { outcome: string; record?: PlanRecord }): string {
  return p.record
    ? `${p.outcome}: ${p.record.id}\n\n${formatPlanText(p.record)}`
    : 'unchanged: the publication changes nothing here; no plan recorded\n';
}

export function planXml(p: PlanRecord): string {
  const s = p.source;
  return toDocument(
    element(
      'plan',
      {
        id: p.id,
        status: p.status,
        created: p.createdAt,
        edited: String(p.edited),
        'local-epoch': `${p.localVersion.admin_epoch}.${p.localVersion.epoch}`,
      },
      [
        element('source', {
          site: s.site,
          ticket: s.ticket,
          epoch: `${s.adminEpoch}.${s.epoch}`,
          digest: s.digest,
          created: s.created,
        }),
        element(
          'changes',
          {},
          p.changes.map((c) =>
            element(
              'change',
              { kind: c.kind, id: c.id, change: c.change },
              c.details.map((d) => element('detail', { text: d })),
            ),
          ),
        ),
        element(
          'node-attributes',
          {},
          p.attributes.changes.map((a) =>
            element(
              'attribute',
              Object.fromEntries(
                Object.entries(a)
                  .filter(([, v]) => v !== undefined)
                  .map(([k, v]) => [k, String(v)]),
              ),
            ),
          ),
        ),
        element(
          'transition',
          {},
          p.transition.map((a) => element('rsc_action', a.attrs)),
        ),
        element('verdict', { candidate: p.verdict.candidate.level, baseline: p.verdict.baseline.level }, [
          ...p.verdict.candidate.errors.map((m) => element('message', { level: 'error', text: m })),
          ...p.verdict.candidate.warnings.map((m) => element('message', { level: 'warning', text: m })),
        ]),
        element(
          'decisions',
          {},
          p.decisions.map((d) =>
            element('decision', Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined))),
          ),
        ),
      ],
    ),
  );
}
