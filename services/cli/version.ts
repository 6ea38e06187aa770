// The version is package.json's, read where the build runs from: dist/services/cli/ → the package root
// (an installed release keeps package.json beside dist/, scripts/install-agents.sh).
import { readFileSync } from 'node:fs';

export function cibsyncVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return version;
}
