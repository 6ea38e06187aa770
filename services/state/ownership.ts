// The node attributes cibsync set (<stateDir>/node-attributes.json: local node → name → value), so
// that it only ever deletes what it set itself, never what an administrator set.
import { join } from 'node:path';
import type { NodeAttributes } from '../publication/index.js';
import { readJson, writeJson } from './files.js';

export function attributeStatePath(stateDir: string): string {
  return join(stateDir, 'node-attributes.json');
}

export async function readOwnedAttributes(stateDir: string): Promise<NodeAttributes> {
  return readJson<NodeAttributes>(attributeStatePath(stateDir), {});
}

export async function writeOwnedAttributes(stateDir: string, owned: NodeAttributes): Promise<void> {
  await writeJson(attributeStatePath(stateDir), owned);
}
