/**
 * A small seeded PRNG for the scenario generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, as in PractRand) seeded through splitmix32, so any 32-bit seed or string gives a
 * well-mixed state. Deterministic across platforms: only 32-bit integer arithmetic (Math.imul, >>>).
 *
 * `fork(label)` derives an independent stream from the seed and a label, not from the current state,
 * so adding draws to one part of the generator never shifts the values another part sees.
 */

/** Characters Kubernetes uses for generated name suffixes (k8s.io/apimachinery utilrand: no vowels, no 0/1/3). */
export const K8S_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const HEX = '0123456789abcdef';
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >>> 4]! + HEX[i & 15]!);

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/** FNV-1a over UTF-16 code units, for turning labels into seeds. */
export function hashString32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private readonly key: string;

  constructor(seed: number | string) {
    this.key = String(seed);
    let s = typeof seed === 'number' ? seed | 0 : hashString32(seed) | 0;
    let out: number;
    [s, out] = splitmix32(s);
    this.a = out;
    [s, out] = splitmix32(s);
    this.b = out;
    [s, out] = splitmix32(s);
    this.c = out;
    [s, out] = splitmix32(s);
    this.d = out;
    // Discard the first outputs, as the sfc32 reference does, to leave the seeding transient.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** An independent stream named by `label`, stable whatever else has been drawn. */
  fork(label: string): Prng {
    return new Prng(`${this.key}/${label}`);
  }

  /** Next 32-bit unsigned integer (sfc32 step). */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Picks by non-negative weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Normal(mean, sd) by Box–Muller (one value per call, so the draw count is fixed). */
  gaussian(mean = 0, sd = 1): number {
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Poisson(lambda): Knuth's product method for small lambda, a rounded normal above 30. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.gaussian(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Fisher–Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** `n` characters from `alphabet`. */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.float() * alphabet.length)];
    return s;
  }

  /** A generated-name suffix as the API server makes for `generateName` (5 chars). */
  podSuffix(): string {
    return this.chars(5, K8S_ALPHANUMS);
  }

  /**
   * A 5-char suffix that contains a digit. Job and DaemonSet pods get any suffix in a real cluster;
   * the ingest only strips suffixes that contain a digit (analysis/core/workload.ts), so generated
   * Job/DaemonSet pods use these to stay attributable to their workload.
   */
  podSuffixWithDigit(): string {
    for (;;) {
      const s = this.podSuffix();
      if (/[0-9]/.test(s)) return s;
    }
  }

  /** A ReplicaSet pod-template-hash (9–10 chars, same alphabet). */
  templateHash(): string {
    return this.chars(this.chance(0.7) ? 10 : 9, K8S_ALPHANUMS);
  }

  hex(nBytes: number): string {
    let s = '';
    for (let i = 0; i < nBytes; i++) s += BYTE_HEX[this.u32() & 255];
    return s;
  }

  /** RFC 4122 version-4 UUID, lower case (auditID, object uids). */
  uuid(): string {
    const w0 = this.u32();
    const w1 = this.u32();
    const w2 = this.u32();
    const w3 = this.u32();
    return (
      BYTE_HEX[w0 >>> 24]! + BYTE_HEX[(w0 >>> 16) & 255]! + BYTE_HEX[(w0 >>> 8) & 255]! + BYTE_HEX[w0 & 255]! + '-' +
      BYTE_HEX[w1 >>> 24]! + BYTE_HEX[(w1 >>> 16) & 255]! + '-' +
      BYTE_HEX[0x40 | ((w1 >>> 8) & 15)]! + BYTE_HEX[w1 & 255]! + '-' +
      BYTE_HEX[0x80 | ((w2 >>> 24) & 63)]! + BYTE_HEX[(w2 >>> 16) & 255]! + '-' +
      BYTE_HEX[(w2 >>> 8) & 255]! + BYTE_HEX[w2 & 255]! +
      BYTE_HEX[w3 >>> 24]! + BYTE_HEX[(w3 >>> 16) & 255]! + BYTE_HEX[(w3 >>> 8) & 255]! + BYTE_HEX[w3 & 255]!
    );
  }
}
