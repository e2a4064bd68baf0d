import { at } from './indexing.js';

/** Small seeded PRNG (mulberry32): deterministic simulations and synthetic data. */
export function seededRandom(seed: number): () => number {
  // Scramble the seed first so that nearby seeds (1, 2, 3, ...) start far apart in the sequence.
  let a = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35) >>> 0;
  a = (a ^ (a >>> 16)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform source (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** m distinct indices below n (partial Fisher–Yates). */
export function sampleWithoutReplacement(n: number, m: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [at(pool, j, 'sample pool'), at(pool, i, 'sample pool')];
  }
  return pool.slice(0, m);
}
