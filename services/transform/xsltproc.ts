// libxslt's xsltproc as a child process (process/run.ts): no network, no DTD validation, no file writes.
import { CibsyncError } from '../errors.js';
import { outputTooLarge, runProcess } from '../process/run.js';
import type { TransformEngine } from './engine-interface.js';

export class XsltprocEngine implements TransformEngine {
  readonly name = 'xsltproc' as const;

  constructor(
    private readonly binary = 'xsltproc',
    private readonly timeoutMs = 120_000,
  ) {}

  async transform(stylesheetPath: string, input: string, params: Record<string, string>): Promise<string> {
    const args = ['--nonet', '--novalid', '--nowrite', '--nomkdir'];
    for (const [name, value] of Object.entries(params)) args.push('--stringparam', name, value);
    args.push(stylesheetPath, '-');
    const outcome = await runProcess(this.binary, args, {
      input,
      timeoutMs: this.timeoutMs,
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (outcome.kind === 'spawn-failed') {
      throw outcome.errno === 'ENOENT'
        ? new CibsyncError('CIBSYNC_TOOL_MISSING', `${this.binary} is not installed (Debian package xsltproc)`, {
            tool: this.binary,
          })
        : new CibsyncError('CIBSYNC_TRANSFORM_FAILED', `${this.binary}: ${outcome.message}`);
    }
    if (outcome.kind === 'output-too-large') throw outputTooLarge(this.binary, `${stylesheetPath}: xsltproc`, outcome);
    if (outcome.kind === 'exited' && outcome.code === 0) return outcome.stdout;
    const why =
      outcome.kind === 'timed-out'
        ? `killed at the timeout (${this.timeoutMs} ms)`
        : outcome.kind === 'signalled'
          ? `killed by ${outcome.signal}`
          : `exit ${outcome.code}`;
    const stderr = outcome.stderr.trim();
    throw new CibsyncError(
      'CIBSYNC_TRANSFORM_FAILED',
      `${stylesheetPath}: xsltproc ${why}: ${stderr.split('\n').slice(0, 8).join('; ')}`,
      { stylesheet: stylesheetPath, exit: outcome.kind === 'exited' ? outcome.code : null, stderr },
    );
  }
}
