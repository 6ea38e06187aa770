// Retry delays after a failure: doubling from minMs, capped at maxMs (the poll interval), with
// "equal jitter" (half fixed, half random) so that many subscribers that lost the same publisher do
// not come back in step.
export function backoffDelay(
  failures: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
