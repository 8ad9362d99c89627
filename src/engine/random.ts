// Named, seeded random streams. Each component draws from its own stream, keyed by the run seed
// and a stable component name ("producer/web/traffic"), so adding or changing one component never
// shifts another's draws: comparisons between runs use common random numbers.

import seedrandom from "seedrandom";

/** A uniform random source in [0, 1) with a few exact helpers. */
export class RandomStream {
  /** The stream's full name, for diagnostics. */
  readonly name: string;
  private readonly prng: () => number;
  private spareNormal = Number.NaN;

  constructor(seed: string, name: string) {
    this.name = name;
    // alea: fast (≈4× arc4 here) and well-distributed; the seed string includes the stream name.
    this.prng = seedrandom.alea(`${seed}\u0000${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform in (0, 1]: safe to take the logarithm of. */
  nextOpen(): number {
    return 1 - this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.prng();
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    return -Math.log(this.nextOpen()) / rate;
  }

  /** Standard normal (Box–Muller, caching the second value of each pair). */
  normal(): number {
    const spare = this.spareNormal;
    if (!Number.isNaN(spare)) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    const u = this.nextOpen();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** Factory of named streams for one run seed. */
export class RandomStreams {
  constructor(readonly seed: string) {}

  /** The stream for a component path such as `producer/web/traffic`. */
  stream(name: string): RandomStream {
    return new RandomStream(this.seed, name);
  }
}
