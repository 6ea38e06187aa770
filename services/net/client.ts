// The mutual-TLS HTTP client of the subscriber and of the CLI: undici with a client certificate (or,
// towards a daemon's admin socket, plain HTTP over a Unix domain socket),
// a byte limit enforced while reading (never buffering more than the limit), an overall deadline
// for headers and body together (the per-chunk timeouts alone let a publisher trickling one byte a
// second hold a request for ever), and every failure turned into a stable code. Bodies are always read to the end or destroyed, never dump()ed:
// undici 7's Agent drops keep-alive after dump() of a body over 128 KiB.
import { Agent, type Dispatcher } from 'undici';
import { CibsyncError } from '../errors.js';
import type { TlsMaterial } from './tls-material.js';

export interface ClientRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Responses larger than this are cut off: CIBSYNC_FETCH_TOO_LARGE. */
  maxBytes: number;
  /** Time allowed for the response headers (a long-poll adds its wait to this). */
  headersTimeoutMs: number;
  /** Time allowed between two body chunks. */
  bodyTimeoutMs: number;
  /** Time allowed for the whole exchange, headers and body: CIBSYNC_FETCH_TIMEOUT when over. */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** undici's timeouts, each named by what it bounds. */
const TIMEOUTS: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout (between two chunks)',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};

function fetchError(url: string, err: unknown): CibsyncError {
  if (err instanceof CibsyncError) return err;
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  const code = e.code ?? e.cause?.code ?? e.name;
  const message = e.cause?.message && e.cause.message !== e.message ? `${e.message} (${e.cause.message})` : e.message;
  const timeout = TIMEOUTS[code];
  if (timeout)
    return new CibsyncError('CIBSYNC_FETCH_TIMEOUT', `${url}: ${timeout}: ${message}`, { url, cause: code, timeout });
  return new CibsyncError('CIBSYNC_FETCH_FAILED', `${url}: ${message}`, { url, cause: code });
}

/** A daemon's admin socket (services/net/admin-socket.ts): plain HTTP over a Unix domain socket, no TLS. */
export interface SocketTarget {
  socketPath: string;
}

export class MtlsClient {
  private agent: Agent;

  constructor(
    material: TlsMaterial | SocketTarget,
    private readonly connectTimeoutMs: number,
  ) {
    this.agent = this.agentFor(material);
  }

  private agentFor(material: TlsMaterial | SocketTarget): Agent {
    if ('socketPath' in material)
      return new Agent({ connect: { socketPath: material.socketPath, timeout: this.connectTimeoutMs } });
    return new Agent({
      connect: { ca: material.ca, cert: material.cert, key: material.key, timeout: this.connectTimeoutMs },
    });
  }

  /** New certificates for new connections; requests in flight finish on the old agent. */
  reload(material: TlsMaterial): void {
    const previous = this.agent;
    this.agent = this.agentFor(material);
    void previous.close();
  }

  async request(url: string, options: ClientRequest): Promise<ClientResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.deadlineMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
      return await this.exchange(url, options, signal);
    } catch (err) {
      if (deadline.signal.aborted && !options.signal?.aborted) {
        throw new CibsyncError(
          'CIBSYNC_FETCH_TIMEOUT',
          `${url}: overall deadline: no complete response (headers and body) within ${options.deadlineMs} ms`,
          { url, timeout: 'deadline', deadlineMs: options.deadlineMs },
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange(url: string, options: ClientRequest, signal: AbortSignal): Promise<ClientResponse> {
    const target = new URL(url);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
        signal,
      });
    } catch (err) {
      throw fetchError(url, err);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.body.destroy();
      throw new CibsyncError(
        'CIBSYNC_FETCH_TOO_LARGE',
        `${url}: response of ${declared} bytes is over the limit of ${options.maxBytes}`,
        { url, bytes: declared, maxBytes: options.maxBytes },
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > options.maxBytes) {
          response.body.destroy();
          throw new CibsyncError(
            'CIBSYNC_FETCH_TOO_LARGE',
            `${url}: response is over the limit of ${options.maxBytes} bytes`,
            { url, maxBytes: options.maxBytes },
          );
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      response.body.destroy();
      throw fetchError(url, err);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
