// libxslt's xsltproc as a child process: no network, no DTD validation, no file writes.
import { spawn } from 'node:child_process';
import { CibsyncError } from '../errors.js';
import type { TransformEngine } from './engine-interface.js';

export class XsltprocEngine implements TransformEngine {
  readonly name = 'xsltproc' as const;

  constructor(
    private readonly binary = 'xsltproc',
    private readonly timeoutMs = 120_000,
  ) {}

  transform(stylesheetPath: string, input: string, params: Record<string, string>): Promise<string> {
    const args = ['--nonet', '--novalid', '--nowrite', '--nomkdir'];
    for (const [name, value] of Object.entries(params)) args.push('--stringparam', name, value);
    args.push(stylesheetPath, '-');
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => undefined);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new CibsyncError('CIBSYNC_TOOL_MISSING', `${this.binary} is not installed (Debian package xsltproc)`, { tool: this.binary })
            : new CibsyncError('CIBSYNC_TRANSFORM_FAILED', `${this.binary}: ${e.message}`),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else {
          const why = signal ? `killed by ${signal} (timeout ${this.timeoutMs} ms?)` : `exit ${code}`;
          reject(new CibsyncError('CIBSYNC_TRANSFORM_FAILED', `${stylesheetPath}: xsltproc ${why}: ${stderr.split('\n').slice(0, 8).join('; ')}`, { stylesheet: stylesheetPath, exit: code, stderr }));
        }
      });
      child.stdin.end(input);
    });
  }
}
