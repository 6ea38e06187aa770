#!/usr/bin/env node
// The `cibsync` command. Exit statuses are documented in docs/errors.md.
import { EXIT } from '../errors.js';
import { reportError } from './command.js';
import { COMMANDS } from './commands.js';
import { cibsyncVersion } from './version.js';

// A reader that stops early (`cibsync rollback --list | head -1`) closes the pipe: that ends any
// command quietly and successfully, as `head` expects, instead of with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT.ok);
  });
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `cibsync: keeps Pacemaker configuration in step across the sites of a geo cluster\n\nusage: cibsync <command> [options]   (cibsync <command> --help for its options; cibsync --version)\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    process.stdout.write(`cibsync ${cibsyncVersion()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`cibsync: CIBSYNC_USAGE: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
