import { writeFile, rename } from 'node:fs/promises';
import { buildPublication, serializePublication } from '../publication/index.js';
import { CONFIG_OPTIONS, configFromFlags, pacemakerFor, parse, printHelp, type Command } from './command.js';

const command: Command = {
  name: 'export',
  summary: 'Write the publication (configuration, node attributes, source identity, digest) of the local CIB.',
  usage: 'cibsync export [--out FILE] [--site NAME] [--ticket NAME] [--ignore-ticket] [--config FILE]',
  async run(argv) {
    const { values } = parse(this, argv, { ...CONFIG_OPTIONS, out: { type: 'string', short: 'o' }, 'ignore-ticket': { type: 'boolean' } }, false);
    if (values.help) return printHelp(this, '\nWrites to stdout unless --out is given (written atomically: temp file + rename).\n');
    const config = configFromFlags(values);
    const publication = await buildPublication(pacemakerFor(), { site: config.site, ticket: config.ticket, ignoreTicket: values['ignore-ticket'] === true });
    const text = serializePublication(publication);
    if (typeof values.out === 'string') {
      const tmp = `${values.out}.tmp-${process.pid}`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, values.out);
      process.stderr.write(`cibsync: exported site ${publication.site} epoch ${publication.adminEpoch}.${publication.epoch} digest ${publication.digest} to ${values.out}\n`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  },
};
export default command;
