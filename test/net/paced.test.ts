// The pacing of the runtime attributes' reads and writes (services/net/paced.ts): asked 100 times a
// second for 10 s, a task with a 1 s interval runs at most 10 s / 1 s + 1 times, and once more after
// the last ask, so the latest state is never left behind. Simulated time: the bound is about counts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Paced } from '../../services/net/paced.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Paced', () => {
  it('runs at most once per interval, and after the last ask', async () => {
    let runs = 0;
    let seen = 0;
    let value = 0;
    const paced = new Paced(
      1000,
      async () => {
        runs += 1;
        await new Promise((r) => setTimeout(r, 30)); // a run takes time too
        seen = value;
      },
      () => Date.now(),
    );
    for (let i = 0; i < 1000; i++) {
      value = i;
      paced.poke();
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThanOrEqual(10_000 / 1000 + 1);
    expect(seen).toBe(999);
    await paced.stop();
  });

  it('runs at once when the last run is an interval old, one at a time', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const paced = new Paced(
      100,
      async () => {
        runs += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 500)); // longer than the interval
        running -= 1;
      },
      () => Date.now(),
    );
    paced.poke();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    paced.poke();
    paced.poke();
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toBe(2);
    expect(most).toBe(1);
    await paced.stop();
  });
});
