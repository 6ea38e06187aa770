// Pacemaker's command-line tools, run through the child-process helper (process/run.ts): the only
// place cibsync runs them. Every call gets an explicit environment (CIB_file set for a file-backed
// CIB, removed for the live cluster), a timeout and an output cap, and a non-zero exit becomes a
// typed error that keeps the tool's own message.
import { CibsyncError, type ErrorCode } from '../errors.js';
import { outputTooLarge, type ProcessOptions, runProcess, runProcessFromFile } from '../process/run.js';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends ProcessOptions {
  input?: string;
  /** A file streamed to the tool's standard input instead of `input` (a large CIB is not held as a string). */
  inputFile?: string;
  env: NodeJS.ProcessEnv;
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
  const lines = (result.stderr || result.stdout)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+\s+</.test(l));
  return lines.slice(0, 6).join('; ') || `exit status ${result.code}`;
}

export async function runTool(tool: string, args: string[], options: RunOptions): Promise<ToolResult> {
  const { inputFile } = options;
  const outcome =
    inputFile === undefined
      ? await runProcess(tool, args, options)
      : await runProcessFromFile(tool, args, { ...options, inputFile });
  const command = [tool, ...args].join(' ');
  switch (outcome.kind) {
    case 'spawn-failed':
      throw outcome.errno === 'ENOENT'
        ? new CibsyncError('CIBSYNC_TOOL_MISSING', `${tool} is not installed or not on PATH`, { tool })
        : new CibsyncError('CIBSYNC_PCMK_ERROR', `${tool}: ${outcome.message}`, { tool });
    case 'timed-out':
      throw new CibsyncError(
        'CIBSYNC_PCMK_TIMEOUT',
        `${tool} gave no answer within ${options.timeoutMs} ms${options.timeoutHint ? ` (${options.timeoutHint})` : ''}: ${command}`,
        { tool, timeoutMs: options.timeoutMs },
      );
    case 'output-too-large':
      throw outputTooLarge(tool, command, outcome);
    case 'input-failed':
      throw new CibsyncError(
        'CIBSYNC_PCMK_ERROR',
        `${command}: cannot read its input ${outcome.file}: ${outcome.message}`,
        { tool },
      );
    case 'signalled':
      throw new CibsyncError('CIBSYNC_PCMK_ERROR', `${command}: killed by ${outcome.signal}`, {
        tool,
        signal: outcome.signal,
      });
    case 'exited': {
      const result = { code: outcome.code, stdout: outcome.stdout, stderr: outcome.stderr };
      if (result.code !== 0 && !(options.okCodes ?? []).includes(result.code)) {
        throw new CibsyncError(errorCodeForExit(result.code), `${command}: ${toolMessage(result)}`, {
          tool,
          exit: result.code,
          stderr: result.stderr.slice(0, 4000),
        });
      }
      return result;
    }
  }
}
