/**
 * Seeded random numbers for test inputs (seedrandom's ARC4 generator, never Math.random), with the
 * draws a gradient check needs: Gaussian entries of order 1, and redraws that keep values away
 * from kinks: in float64 at h = 1e-5, a ReLU input within h of 0 makes a centered difference
 * meaningless, and an exact 0 gives 0.5 against an analytic 0.
 */
import seedrandom from "seedrandom";
import { KINK_MARGIN, type Mat } from "./case";

export class Random {
  private readonly next: () => number;
  private spare: number | null = null;

  constructor(readonly seed: string) {
    this.next = seedrandom(seed);
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A normal draw with |value − kink| ≥ KINK_MARGIN. */
  normalAwayFrom(kink = 0, scale = 1): number {
    for (;;) {
      const v = scale * this.normal();
      if (Math.abs(v - kink) >= KINK_MARGIN) return v;
    }
  }

  /** rows×cols with N(0, scale²) entries. */
  matrix(rows: number, cols: number, scale = 1): Mat {
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * this.normal()));
  }

  /** rows×cols with N(0,1) entries, each at least KINK_MARGIN from 0. */
  matrixAwayFromZero(rows: number, cols: number): Mat {
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => this.normalAwayFrom(0)));
  }

  /** n labels in [0, classes). */
  labels(n: number, classes: number): number[] {
    return Array.from({ length: n }, () => this.int(classes));
  }

  /** A copy of `items` in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

/**
 * Redraw until `accept` holds. Kink-free draws are rare failures, so running out of tries is a
 * harness error (the generator's bounds are wrong), never something a student caused.
 */
export function drawUntil<T>(what: string, draw: () => T, accept: (value: T) => boolean, tries = 1000): T {
  for (let t = 0; t < tries; t++) {
    const value = draw();
    if (accept(value)) return value;
  }
  throw new Error(`could not draw ${what} away from kinks in ${tries} tries (harness error)`);
}
