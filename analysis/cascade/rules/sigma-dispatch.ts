/**
 * The index of Sigma rules (compiled-rule.ts SIGMA_INDEX_FIELDS): rules keyed by the lower-case
 * value they require of one field of the audit Event — `objectRef.resource`, `verb` or
 * `user.username` — so an audit event only meets the few Sigma rules that could match it.
 */
const NONE: readonly never[] = [];
/** Raw (not lower-case) spellings a dimension remembers: attacker values must not grow it without bound. */
const MAX_RAW_SPELLINGS = 4096;

/**
 * One index dimension: rules keyed by the lower-case value they require of one field. Values are
 * looked up as they come; a miss is retried lower-cased (a reader that slips must not lose hits)
 * and the answer remembered under the raw spelling, so a recurring value costs one Map lookup and
 * nothing is lower-cased or allocated on the hot path.
 */
export class Dispatch<T> {
  private readonly byValue = new Map<string, readonly T[]>();
  private readonly byNumber = new Map<number, readonly T[]>();
  /** Every rule of this dimension once: for values that are arrays or maps (attacker JSON). */
  readonly all: T[] = [];
  /** Longest indexed value: lower-casing never shortens a string, so longer values cannot match. */
  private maxLength = 0;
  private spellings = 0;
  get active(): boolean {
    return this.all.length > 0;
  }

  add(values: readonly string[], ev: T): void {
    this.all.push(ev);
    for (const v of values) {
      const list = this.byValue.get(v);
      if (list) (list as T[]).push(ev);
      else this.byValue.set(v, [ev]);
      if (v.length > this.maxLength) this.maxLength = v.length;
    }
  }

  /** The rules for one field value: by value for scalars, all of them for arrays and maps, none when absent. */
  pick(v: unknown): readonly T[] {
    if (typeof v === 'string') return this.byValue.get(v) ?? this.miss(v);
    if (v === undefined || v === null) return NONE;
    if (typeof v === 'object') return this.all;
    if (typeof v === 'number') return this.byNumber.get(v) ?? this.missNumber(v);
    return typeof v === 'boolean' ? (this.byValue.get(v ? 'true' : 'false') ?? NONE) : NONE;
  }

  private miss(v: string): readonly T[] {
    if (v.length > this.maxLength) return NONE;
    const l = v.toLowerCase();
    const list = (l !== v && this.byValue.get(l)) || NONE;
    if (this.spellings < MAX_RAW_SPELLINGS) {
      this.spellings++;
      this.byValue.set(v, list);
    }
    return list;
  }

  private missNumber(v: number): readonly T[] {
    const list = this.byValue.get(String(v)) ?? NONE;
    if (this.spellings < MAX_RAW_SPELLINGS) {
      this.spellings++;
      this.byNumber.set(v, list);
    }
    return list;
  }
}
