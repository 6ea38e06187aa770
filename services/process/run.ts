// Child processes: the one helper that starts a program, feeds its stdin, collects its output up to a
// cap and kills it at a timeout. How a run ended is a typed outcome, never a thrown error, so that
// each caller turns it into its own stable error (a Pacemaker tool, xsltproc, the lock holder).
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CibsyncError } from '../errors.js';

/**
 * The default cap on each of stdout and stderr: 256 MiB, far above what any admitted CIB prints
 * (`cibadmin --query` prints the whole CIB, status and resource history included, several times its
 * configuration; maxPublicationBytes is 1 MiB by default), so that only a runaway program meets it.
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface ProcessOptions {
  /** The program's whole environment; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
  /** Killed (SIGKILL) as soon as stdout or stderr passes this many bytes; default DEFAULT_MAX_OUTPUT_BYTES. */
  maxOutputBytes?: number;
}

export interface ProcessOutput {
  stdout: string;
  stderr: string;
}

export type ProcessOutcome =
  /** It ran to its end: any exit code, zero or not, is the program's answer. */
  | ({ kind: 'exited'; code: number } & ProcessOutput)
  | ({ kind: 'signalled'; signal: NodeJS.Signals } & ProcessOutput)
  /** Killed at the timeout; the output is what it printed until then. */
  | ({ kind: 'timed-out'; timeoutMs: number } & ProcessOutput)
  /** Killed when `stream` passed `maxBytes`; the output is not kept. */
  | { kind: 'output-too-large'; stream: 'stdout' | 'stderr'; maxBytes: number }
  /** It never ran: `errno` ENOENT is a program that is not installed or not on PATH. */
  | { kind: 'spawn-failed'; errno: string | undefined; message: string };

/** Only a run fed from a file ends so: the file could not be read, and the program was killed. */
export type InputFailed = { kind: 'input-failed'; file: string; message: string };

export interface RunningProcess {
  /** How it ended; never rejects. */
  readonly outcome: Promise<ProcessOutcome>;
  /** Resolves at its first output on stdout (and never when it ends without any). */
  readonly firstOutput: Promise<void>;
  /** Writes `input` to its stdin and closes it. */
  endInput(input?: string): void;
  /** From now on it runs until it ends by itself (a lock holder, once it holds the lock). */
  cancelTimeout(): void;
}

export function startProcess(command: string, args: string[], options: ProcessOptions): RunningProcess {
  const { pipeInput: _fileInputOnly, ...running } = start(command, args, options);
  // Ends 'input-failed' only after pipeInput, which is not handed out here.
  return running as RunningProcess;
}

function start(command: string, args: string[], options: ProcessOptions) {
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let killedFor:
    | { kind: 'timed-out' }
    | { kind: 'output-too-large'; stream: 'stdout' | 'stderr' }
    | { kind: 'input-failed'; file: string; message: string }
    | undefined;
  const kill = (why: NonNullable<typeof killedFor>) => {
    killedFor ??= why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => kill({ kind: 'timed-out' }), options.timeoutMs);
  // Decoded as it arrives: a large answer (cibadmin --query, crm_diff) is held once, not also as chunks and their concatenation.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const collected = { stdout: [] as string[], stderr: [] as string[] };
  const sizes = { stdout: 0, stderr: 0 };
  let spoke!: () => void;
  const firstOutput = new Promise<void>((resolve) => (spoke = resolve));
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      if (stream === 'stdout') spoke();
      if (killedFor) return;
      sizes[stream] += chunk.length;
      if (sizes[stream] > maxBytes) kill({ kind: 'output-too-large', stream });
      else collected[stream].push(decoders[stream].write(chunk));
    });
  }
  child.stdin.on('error', () => undefined); // the program may exit before reading its input
  const outcome = new Promise<ProcessOutcome | InputFailed>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'spawn-failed', errno: err.code, message: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killedFor?.kind === 'output-too-large')
        return resolve({ kind: 'output-too-large', stream: killedFor.stream, maxBytes });
      if (killedFor?.kind === 'input-failed') return resolve(killedFor);
      const output = {
        stdout: collected.stdout.join('') + decoders.stdout.end(),
        stderr: collected.stderr.join('') + decoders.stderr.end(),
      };
      if (killedFor?.kind === 'timed-out') resolve({ kind: 'timed-out', timeoutMs: options.timeoutMs, ...output });
      else if (signal) resolve({ kind: 'signalled', signal, ...output });
      else resolve({ kind: 'exited', code: code ?? 128, ...output });
    });
  });
  return {
    outcome,
    firstOutput,
    endInput: (input = '') => child.stdin.end(input),
    /** Streams `file` to its stdin and closes it (a large CIB is never held as one string for it). */
    pipeInput: (file: string) => {
      const input = createReadStream(file);
      input.on('error', (err) => kill({ kind: 'input-failed', file, message: err.message }));
      input.pipe(child.stdin);
    },
    cancelTimeout: () => clearTimeout(timer),
  };
}

/** Runs a program to its end with `input` on its stdin. */
export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions & { input?: string },
): Promise<ProcessOutcome> {
  const running = startProcess(command, args, options);
  running.endInput(options.input);
  return running.outcome;
}

/** Runs a program to its end with the file `inputFile` streamed to its stdin. */
export function runProcessFromFile(
  command: string,
  args: string[],
  options: ProcessOptions & { inputFile: string },
): Promise<ProcessOutcome | InputFailed> {
  const running = start(command, args, options);
  running.pipeInput(options.inputFile);
  return running.outcome;
}

/** The one error for a program stopped at the output cap, whichever caller ran it. */
export function outputTooLarge(
  tool: string,
  command: string,
  outcome: { stream: 'stdout' | 'stderr'; maxBytes: number },
): CibsyncError {
  return new CibsyncError(
    'CIBSYNC_TOOL_OUTPUT_TOO_LARGE',
    `${command}: printed more than ${outcome.maxBytes} bytes on ${outcome.stream}; cibsync stopped it`,
    { tool, stream: outcome.stream, maxBytes: outcome.maxBytes },
  );
}

export interface LineProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with each complete line on stdout, without its newline. */
  onLine: (line: string) => void;
  /** A longer line stops the program (output-too-large): it is not what it should print. */
  maxLineBytes: number;
}

export interface LineProcess {
  readonly pid: number | undefined;
  /** How it ended (stderr: its last 4 KiB); never rejects. */
  readonly outcome: Promise<ProcessOutcome>;
  /** Closes its stdin (a helper that watches it stops by itself) and sends SIGTERM. */
  stop(): void;
}

/**
 * A long-running program that reports on stdout, one line at a time: no timeout, its stdin kept open
 * (closed by stop(), and by the kernel when this process dies, so the program can notice either).
 */
export function startLineProcess(command: string, args: string[], options: LineProcessOptions): LineProcess {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let stderr = '';
  let tooLong = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (tooLong) return;
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop() ?? '';
    if ([partial, ...lines].some((line) => Buffer.byteLength(line) > options.maxLineBytes)) {
      tooLong = true;
      child.kill('SIGKILL');
      return;
    }
    for (const line of lines) options.onLine(line);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  child.stdin.on('error', () => undefined); // it may end before we close its input
  const outcome = new Promise<ProcessOutcome>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ kind: 'spawn-failed', errno: err.code, message: err.message }),
    );
    child.on('close', (code, signal) => {
      if (tooLong) resolve({ kind: 'output-too-large', stream: 'stdout', maxBytes: options.maxLineBytes });
      else if (signal) resolve({ kind: 'signalled', signal, stdout: partial, stderr });
      else resolve({ kind: 'exited', code: code ?? 128, stdout: partial, stderr });
    });
  });
  return {
    pid: child.pid,
    outcome,
    stop: () => {
      child.stdin.end();
      child.kill('SIGTERM');
    },
  };
}
