import { type ScopeContents, type ScopeSplit, splitScopes } from '../scopes/index.js';
import {
  CONFIG_OPTIONS,
  type Command,
  configFromFlags,
  type OptionTable,
  pacemakerFor,
  parse,
  printHelp,
  usageLine,
} from './command.js';
import { OUTPUT_AS, outputAs } from './options.js';

const OPTIONS: OptionTable = { 'output-as': OUTPUT_AS, ...CONFIG_OPTIONS };

const KINDS = [
  ['resources', 'resource'],
  ['templates', 'template'],
  ['constraints', 'constraint'],
  ['tags', 'tag'],
] as const;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One heading line, then one line per member, each starting with `prefix` so that grep finds a scope whole. */
function formatContents(prefix: string, c: ScopeContents & { sections?: string[] }): string[] {
  const sections = c.sections && c.sections.length > 0 ? `; sections ${c.sections.join(' ')}` : '';
  const lines = [`${prefix}: ${KINDS.map(([key, what]) => count(c[key].length, what)).join(', ')}${sections}`];
  for (const section of c.sections ?? []) lines.push(`${prefix} section ${section}`);
  for (const [key, what] of KINDS) for (const id of c[key]) lines.push(`${prefix} ${what} ${id}`);
  return lines;
}

export function formatScopes(split: ScopeSplit): string {
  const lines = Object.entries(split.tickets).flatMap(([ticket, c]) => formatContents(`scope ${ticket}`, c));
  lines.push(...formatContents('scope global', split.global));
  lines.push(...formatContents('site-local', split.siteLocal));
  lines.push(`fell to global: ${split.fellToGlobal.length === 0 ? 'nothing' : split.fellToGlobal.length}`);
  for (const f of split.fellToGlobal) lines.push(`fell-to-global ${f.kind} ${f.id}: ${f.reason}`);
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  name: 'scopes',
  summary:
    'Show how the local configuration splits into ticket scopes, the global scope and site-local parts, and what fell to the global scope and why.',
  usage: usageLine('scopes'),
  async run(argv) {
    const { values } = parse(this, argv, OPTIONS, false);
    if (values.help) {
      return printHelp(
        this,
        OPTIONS,
        "\nReads the local CIB (live, or CIB_file). One scope per ticket that an rsc_ticket constraint names: the top-level\nresources bound to that ticket, its rsc_ticket constraints, the constraints all of whose resources are in the scope,\nand the templates and tags only that scope uses. Everything else that is not site-local (--config: siteLocal) is the\nglobal scope. A resource bound to two tickets, a constraint across scopes, a shared template or tag falls to the\nglobal scope and is listed with the reason. Text lines start with the scope (`grep '^scope ticketA '`).\nWith scopes.tickets set, each listed ticket's scope is replicated on its own (docs/operations.md, section 10).\n",
      );
    }
    const format = outputAs(values);
    const config = configFromFlags(values);
    const split = splitScopes(await pacemakerFor(config).querySection('configuration'), config.siteLocal);
    process.stdout.write(format === 'json' ? `${JSON.stringify(split, null, 2)}\n` : formatScopes(split));
    return 0;
  },
};
export default command;
