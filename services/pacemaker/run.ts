// Spawning of Pacemaker's command-line tools: the only place cibsync runs them. Every call gets an
// explicit environment (CIB_file set for a file-backed CIB, removed for the live cluster) and a
// timeout, and a non-zero exit becomes a typed error that keeps the tool's own message.
import { spawn } from 'node:child_process';
import { CibsyncError, type ErrorCode } from '../errors.js';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
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
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
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
      const result = { code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      const command = [tool, ...args].join(' ');
      if (timedOut) {
        reject(new CibsyncError('CIBSYNC_PCMK_TIMEOUT', `${tool} gave no answer within ${options.timeoutMs} ms${options.timeoutHint ? ` (${options.timeoutHint})` : ''}: ${command}`, { tool, timeoutMs: options.timeoutMs }));
      } else if (signal) {
        reject(new CibsyncError('CIBSYNC_PCMK_ERROR', `${command}: killed by ${signal}`, { tool, signal }));
      } else if (result.code !== 0 && !(options.okCodes ?? []).includes(result.code)) {
        reject(new CibsyncError(errorCodeForExit(result.code), `${command}: ${toolMessage(result)}`, { tool, exit: result.code, stderr: result.stderr.slice(0, 4000) }));
      } else {
        resolve(result);
      }
    });
    child.stdin.end(options.input ?? '');
  });
}
