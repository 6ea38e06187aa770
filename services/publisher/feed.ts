// The change feed's waiting room: a long-poll request whose subscriber already has the current
// publication parks here until something happens, then every waiter is released at once. Waiting
// costs a timer and a closure per subscriber; nothing is polled on their behalf.

export type WakeReason = 'published' | 'ticket-changed' | 'replicate-now' | 'timeout' | 'closing' | 'gone';

interface Waiter {
  resolve: (reason: WakeReason) => void;
}

export class ChangeFeed {
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves on the next wake(), after timeoutMs, or when `signal` aborts (the client went away). */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('closing');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (reason) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          resolve(reason);
        },
      };
      const timer = setTimeout(() => waiter.resolve('timeout'), timeoutMs);
      const onAbort = () => waiter.resolve('gone');
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Releases every waiter; returns how many there were. */
  wake(reason: WakeReason): number {
    const woken = [...this.waiters];
    for (const waiter of woken) waiter.resolve(reason);
    return woken.length;
  }

  close(): void {
    this.closed = true;
    this.wake('closing');
  }
}
