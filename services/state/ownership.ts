// The node attributes cibsync set, so that it only ever deletes what it set itself, never what an
// administrator set: local node → name → value, one file per lifetime (<stateDir>/node-attributes.json
// for permanent attributes, runtime-attributes.json for transient ones).
import { join } from 'node:path';
import type { NodeAttributes } from '../publication/index.js';
import { readJson, writeJson } from './files.js';

/** Permanent attributes (the configuration's <nodes>), or runtime ones (transient, in the status). */
export type AttributeKind = 'permanent' | 'runtime';

const FILES: Record<AttributeKind, string> = {
  permanent: 'node-attributes.json',
  runtime: 'runtime-attributes.json',
};

export function attributeStatePath(stateDir: string, kind: AttributeKind = 'permanent'): string {
  return join(stateDir, FILES[kind]);
}

export async function readOwnedAttributes(
  stateDir: string,
  kind: AttributeKind = 'permanent',
): Promise<NodeAttributes> {
  return readJson<NodeAttributes>(attributeStatePath(stateDir, kind), {});
}

export async function writeOwnedAttributes(
  stateDir: string,
  owned: NodeAttributes,
  kind: AttributeKind = 'permanent',
): Promise<void> {
  await writeJson(attributeStatePath(stateDir, kind), owned);
}
