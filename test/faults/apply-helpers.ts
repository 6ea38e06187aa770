// Shared parts of the apply fault tests: a site B that a publication from site A changes in both its
// configuration and its node attributes, the built CLI run as a child process (and killed at a point
// of its progress through traced Pacemaker tools), and a canonical view of what a CIB file holds
// (configuration, <nodes> and so node attributes included).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { configurationOfCib, nodeAttributesOf } from '../../services/cib/index.js';
import { canonical, clone, parseXml, removeChildren } from '../../services/xml/index.js';
import { importArgs as sharedImportArgs } from '../helpers/import.js';
import { CLI, makeSite, type Site } from '../helpers/sites.js';

/** The configuration (with <nodes>) of a CIB file, canonical; throws when the file does not parse. */
export function configurationState(cibFile: string): string {
  return canonical(configurationOfCib(parseXml(readFileSync(cibFile, 'utf8'), { source: cibFile })));
}

/** The same, as meaning rather than bytes: the node attributes by node and name, the rest canonical. */
export function configurationMeaning(cibFile: string): {
  attributes: Record<string, Record<string, string>>;
  rest: string;
} {
  const configuration = configurationOfCib(parseXml(readFileSync(cibFile, 'utf8'), { source: cibFile }));
  const rest = clone(configuration);
  removeChildren(rest, (c) => c.name === 'nodes');
  return { attributes: nodeAttributesOf(configuration), rest: canonical(rest) };
}

/** crm_verify's exit status on a CIB file (0: clean). */
export function crmVerify(cibFile: string): number {
  return spawnSync('crm_verify', ['--xml-file', cibFile], { encoding: 'utf8' }).status ?? -1;
}

/** Every `*.tmp-*` file left under `dir`. */
export function leftoverTemps(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...leftoverTemps(path));
    else if (/\.tmp-\d+$/.test(name)) found.push(path);
  }
  return found;
}

/** `cibsync import` at site B for the publication `pub` (the shared test setup), with this site's ticket configured. */
export function importArgs(b: Site, pub: string, extra: string[] = []): string[] {
  return sharedImportArgs(b, pub, 'identity.xsl', ['--ticket', 'ticketA', ...extra]);
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI in its own process group. `killWhen()` is asked every 2 ms: a number is a delay
 * in ms after which SIGKILL goes to cibsync alone, or with `killGroup` to the whole group (cibsync and
 * the tool it is running, as a service manager would).
 */
export function runCli(
  args: string[],
  options: {
    cibFile: string;
    env?: NodeJS.ProcessEnv;
    killWhen?: () => number | undefined;
    killGroup?: boolean;
    asUser?: number;
  },
): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...options.env, CIB_file: options.cibFile, CIBSYNC_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: options.asUser,
      gid: options.asUser,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let timer: NodeJS.Timeout | undefined;
    const poll = options.killWhen
      ? setInterval(() => {
          const delay = options.killWhen?.();
          if (delay === undefined || timer) return;
          timer = setTimeout(() => {
            try {
              process.kill(options.killGroup ? -(child.pid as number) : (child.pid as number), 'SIGKILL');
            } catch {
              // already gone
            }
          }, delay);
        }, 2)
      : undefined;
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A PATH entry whose `cibadmin` and `crm_attribute` note each call ("pid tool args") in `log`, then become the real tool. */
export function tracingTools(dir: string, log: string): string {
  const bin = join(dir, 'trace-bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['cibadmin', 'crm_attribute']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "$$ ${tool} $*" >> "${log}"\nexec ${real} "$@"\n`, { mode: 0o755 });
  }
  return bin;
}

/** The tool calls noted in a tracingTools log so far, in order ("pid tool args"). */
export function callsIn(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Waits until no traced tool is still running (an orphan of a killed cibsync), by its traced pid. */
export async function settle(log: string): Promise<void> {
  for (let i = 0; i < 500 && running(log); i++) await new Promise((r) => setTimeout(r, 10));
}

function running(log: string): boolean {
  return callsIn(log).some((line) => {
    const pid = Number(/^(\d+) /.exec(line)?.[1]);
    if (!(pid > 0)) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/** Where a run dies: `delay` ms after the start of traced call number `after` (from 1), cibsync alone or its whole process group. */
export interface KillPoint {
  after: number;
  delay: number;
  killGroup: boolean;
}

/**
 * Run i's kill point among `calls` traced calls: the calls in turn, a random delay below `maxDelayMs`;
 * even runs kill cibsync alone (the tool it runs finishes as an orphan), odd runs its whole group.
 */
export function killPoint(i: number, calls: number, random: () => number, maxDelayMs: number): KillPoint {
  return { after: (i % calls) + 1, delay: Math.floor(random() * maxDelayMs), killGroup: i % 2 === 1 };
}

/** runCli's killWhen for `point`, counted in `log`; past `giveUpMs` it fires anyway (a daemon does not end by itself). */
export function killWhen(log: string, point: KillPoint, giveUpMs = 30_000): () => number | undefined {
  const deadline = Date.now() + giveUpMs;
  return () => (callsIn(log).length >= point.after || Date.now() > deadline ? point.delay : undefined);
}

/** How a run was killed, for the assertion messages. */
export function killLabel(i: number, point: KillPoint, log: string, run: Run): string {
  return `run ${i}: ${point.killGroup ? 'group' : 'cibsync'} killed ${point.delay} ms after call ${point.after} (${callsIn(log)[point.after - 1] ?? 'not reached'}), ${run.signal ?? `exit ${run.code}`}`;
}

/** A killed run's CIB file parses (else this throws), is exactly `old` or exactly `next`, and crm_verify finds it clean. */
export function oldOrNew(cibFile: string, old: string, next: string, label: string): 'old' | 'new' {
  const state = configurationState(cibFile);
  expect([old, next], label).toContain(state);
  expect(crmVerify(cibFile), label).toBe(0);
  return state === old ? 'old' : 'new';
}

/** A copy of site B as it was before any import (its own folder, CIB file and state directory). */
export function freshB(original: Site): Site {
  const copy = makeSite(original.cibFile);
  copyFileSync(original.cibFile, copy.cibFile);
  return copy;
}
