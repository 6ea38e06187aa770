// Runs a task at most once per interval however often it is asked for, one run at a time, and always
// once more after the last ask (so the latest state is never left behind). The runtime attributes'
// reads at the publisher and writes at the subscriber go through it: a counter updated every 100 ms
// costs one run per interval, not ten a second.
export class Paced {
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wanted = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    /** Its failures are its own to report: a rejection is dropped here. */
    private readonly task: () => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Asks for a run: now if the last one started intervalMs ago and none is running, else as soon as that holds. */
  poke(): void {
    this.wanted = true;
    if (this.stopped || this.timer || this.running) return;
    const wait = Math.max(0, this.lastStart + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, wait);
  }

  /** No more runs; resolves when the one under way ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private start(): void {
    this.wanted = false;
    this.lastStart = this.now();
    this.running = this.task()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.wanted) this.poke();
      });
  }
}
