// Seeded randomness for tests that draw their cases: the seed is printed, and the same seed gives the
// same cases on every machine, so a failing run can be repeated.

/** mulberry32: small, seeded, the same sequence on every machine. */
export function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed named by the environment variable `name`, else `fallback`, else a fresh one. */
export function seedFrom(name: string, fallback?: number): number {
  const given = process.env[name];
  return given !== undefined && given !== '' ? Number(given) : (fallback ?? Math.floor(Math.random() * 2 ** 31));
}
