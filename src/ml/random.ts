/**
 * A small seeded pseudo-random generator (mulberry32) so that splits, label noise, weight
 * initialisation and batch order are reproducible bit for bit on every machine.
 */

/** A generator of uniform floats in [0, 1) from a 32-bit seed. */
export interface Rng {
  /** Next uniform float in [0, 1) (a multiple of 2^-32). */
  next(): number;
  /** Next integer in [0, n). */
  int(n: number): number;
}

/** A mulberry32 generator seeded with the low 32 bits of `seed`. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, r: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Derives an independent 32-bit seed for a named purpose from a base seed. */
export function subSeed(seed: number, purpose: string): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < purpose.length; i++) {
    h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}
