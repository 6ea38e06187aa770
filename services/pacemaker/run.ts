// Spawning of Pacemaker's command-line tools: the only place cibsync runs them. Every call gets an
// explicit environment (CIB_file set for a file-backed CIB, removed for the live cluster) and a
// timeout, and a non-zero exit becomes a typed error that keeps the tool's own message.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { CibsyncError, type ErrorCode } from '../errors.js';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  /** A file streamed to the tool's standard input instead of `input` (a large CIB is not held as a string). */
  inputFile?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Exit codes that are answers, not failures (crm_diff exits 1 when the inputs differ). */
  okCodes?: number[];
  /** Said after a timeout: how big the input was and which setting raises the timeout. */
  timeoutHint?: string;
}

const PCMK_CODES: Record<number, ErrorCode> = {
  4: 'CIBSYNC_PCMK_INSUFFICIENT_PRIVILEGES',
  76: 'CIBSYNC_PCMK_PROTOCOL',
  78: 'CIBSYNC_PCMK_INVALID_CONFIG',
  102: 'CIBSYNC_PCMK_NOT_CONNECTED',
  103: 'CIBSYNC_PCMK_OLD_DATA',
  105: 'CIBSYNC_PCMK_NO_SUCH_OBJECT',
  108: 'CIBSYNC_PCMK_EXISTS',
  124: 'CIBSYNC_PCMK_TIMEOUT',
};

export function errorCodeForExit(exit: number): ErrorCode {
  return PCMK_CODES[exit] ?? 'CIBSYNC_PCMK_ERROR';
}

/** The first lines of a tool's message, without the numbered CIB dump cibadmin prints on schema errors. */
function toolMessage(result: ToolResult): string {
  const lines = (result.stderr || result.stdout).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\d+\s+</.test(l));
  return lines.slice(0, 6).join('; ') || `exit status ${result.code}`;
}

export function runTool(tool: string, args: string[], options: RunOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    // Decoded as they arrive: a large answer (cibadmin --query, crm_diff) is held once, not also as chunks and their concatenation.
    const out: string[] = [];
    const err: string[] = [];
    let timedOut = false;
    let inputError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => out.push(s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => err.push(s));
    child.stdin.on('error', () => undefined); // the tool may exit before reading its input
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new CibsyncError('CIBSYNC_TOOL_MISSING', `${tool} is not installed or not on PATH`, { tool })
          : new CibsyncError('CIBSYNC_PCMK_ERROR', `${tool}: ${e.message}`, { tool }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout: out.join(''), stderr: err.join('') };
      const command = [tool, ...args].join(' ');
      if (inputError) {
        reject(new CibsyncError('CIBSYNC_PCMK_ERROR', `${command}: cannot read its input ${options.inputFile}: ${inputError.message}`, { tool }));
      } else if (timedOut) {
        reject(new CibsyncError('CIBSYNC_PCMK_TIMEOUT', `${tool} gave no answer within ${options.timeoutMs} ms${options.timeoutHint ? ` (${options.timeoutHint})` : ''}: ${command}`, { tool, timeoutMs: options.timeoutMs }));
      } else if (signal) {
        reject(new CibsyncError('CIBSYNC_PCMK_ERROR', `${command}: killed by ${signal}`, { tool, signal }));
      } else if (result.code !== 0 && !(options.okCodes ?? []).includes(result.code)) {
        reject(new CibsyncError(errorCodeForExit(result.code), `${command}: ${toolMessage(result)}`, { tool, exit: result.code, stderr: result.stderr.slice(0, 4000) }));
      } else {
        resolve(result);
      }
    });
    if (options.inputFile === undefined) child.stdin.end(options.input ?? '');
    else {
      const input = createReadStream(options.inputFile);
      input.on('error', (e) => {
        inputError = e;
        child.kill('SIGKILL');
      });
      input.pipe(child.stdin);
    }
  });
}
