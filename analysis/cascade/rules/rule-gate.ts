/**
 * The engine's pre-filter for event rules (issue 3: L1 throughput). Every rule states per-field
 * necessary conditions (rule-constraints.ts); the gate holds the rules as bits of a bitset and,
 * per field, the conditions of the rules that constrain it.
 *
 * A field's value is mapped to its class: the rules it lets through, and the outcome of every rule
 * test on the field. Categorical fields (action, source, resource, actor, …) take few distinct
 * values, so classes are remembered per value; other fields are classified by presence (absent and
 * null get their exact class, any other value one class that knows nothing). A field may also
 * decide others (`covers`): the actor decides its service-account namespace — one lookup for both.
 *
 * The gate remembers, as a decision graph, which rules remain after each sequence of classes and
 * which field to classify next (the next one that still constrains a remaining rule). At
 * a leaf every test on a classified field has a known outcome, and the engine turns the rules left
 * into a plan once per leaf (rule-residual.ts). Each node also keeps, per value met, the node it
 * leads to (categorical fields) or one per absent / null / present value (the others), so a value
 * seen before costs one lookup rather than a classification and then a step. A rule left out
 * could not have matched nor changed its state, so the hits are those of calling every rule.
 * Memory is bounded: values, classes and graph nodes past their limits start the memo over, and
 * past MAX_EDGES value shortcuts no more are made.
 */
import type { EventRecord } from '../../core/records.js';
import type { CompiledField } from './detection.js';
import type { ValueTest } from './rule-constraints.js';
import type { KnownTest } from './rule-residual.js';

/** Values remembered per field before its value memo starts over. */
export const MAX_MEMO_VALUES = 4096;
/** Longer strings are classified without being remembered: attacker-sized keys must not pin memory. */
export const MAX_MEMO_KEY_LENGTH = 256;
/** Classes plus graph nodes before the whole graph starts over. */
export const MAX_GRAPH_SIZE = 16_384;
/** Value-to-node shortcuts (`GateNode.byString`, `byNumber`) kept over the whole graph. */
export const MAX_EDGES = 65_536;

/** What a field's value says of another field's value: that value, or null when it says nothing. */
export type Derive = (v: unknown) => { value: unknown } | null;

export interface GateField {
  name: string;
  get: (e: EventRecord) => unknown;
  /** True when the field takes few distinct values (classes are remembered per value). */
  categorical: boolean;
  /** Fields this one decides (their tests are classified here too). */
  covers?: ReadonlyArray<{ field: string; derive: Derive }>;
}

export interface GatedRule {
  /** field name → the test its value must pass. */
  constraints: ReadonlyMap<string, ValueTest>;
  /** The rule's field tests, whose outcomes classes record. */
  tests: ReadonlyArray<CompiledField<EventRecord>>;
}

/** `ValueClass.outcomes` entry of a test whose outcome the class does not know. */
const UNKNOWN = 2;

interface ValueClass {
  id: number;
  /** Rules let through. */
  bits: Int32Array;
  /** Per outcome test: 0 fails, 1 holds, UNKNOWN. */
  outcomes: Uint8Array;
}

interface GateNode<P> {
  /** Rules still in play. */
  cand: Int32Array;
  /** Index of the field to classify next, or -1: a leaf. */
  field: number;
  /** Next node per class id of that field. */
  next: Array<GateNode<P> | undefined>;
  /**
   * The next node by the value itself (categorical fields): one lookup instead of classifying
   * the value and then following its class. Filled as values are met (`RuleGate.MAX_EDGES` in all).
   */
  byString: Map<string, GateNode<P>> | null;
  byNumber: Map<number, GateNode<P>> | null;
  /** The next node for an absent value, a null, and (fields classified by presence) any other. */
  absent: GateNode<P> | undefined;
  nulled: GateNode<P> | undefined;
  present: GateNode<P> | undefined;
  /** The classes met on the way here, by field index. */
  path: Array<ValueClass | undefined>;
  /** Leaves: what the engine made of the rules left (built on first use). */
  plan: P | null;
}

class FieldGate {
  /**
   * Bits of the rules this field constrains: classifying it may leave them out. (A field only
   * tested by the rules left is not classified for its own sake: their residuals test it.)
   */
  readonly mask: Int32Array;
  private readonly bits: number[] = [];
  private readonly tests: ValueTest[] = [];
  /** Rule tests whose outcome classes record (index in `ValueClass.outcomes`). */
  readonly outcomeOf = new Map<CompiledField<EventRecord>, number>();
  private readonly outcomes: Array<(v: unknown) => number> = [];
  private readonly byValue = new Map<string, ValueClass>();
  private readonly byNumber = new Map<number, ValueClass>();
  /** Classes by content: values that let the same rules through, with the same outcomes, share one. */
  private readonly byContent = new Map<string, ValueClass>();
  private nullClass: ValueClass | null = null;
  private undefinedClass: ValueClass | null = null;
  private presentClass: ValueClass | null = null;

  /** `field.categorical`, read once per level of `RuleGate.select`. */
  readonly categorical: boolean;

  constructor(
    readonly field: GateField,
    words: number,
  ) {
    this.mask = new Int32Array(words);
    this.categorical = field.categorical;
  }

  get used(): boolean {
    return this.bits.length > 0 || this.outcomes.length > 0;
  }

  constrain(bit: number, test: ValueTest): void {
    this.bits.push(bit);
    this.tests.push(test);
    this.mask[bit >>> 5]! |= 1 << (bit & 31);
  }

  record(f: CompiledField<EventRecord>, outcome: (v: unknown) => number): void {
    if (this.outcomeOf.has(f)) return;
    this.outcomeOf.set(f, this.outcomes.length);
    this.outcomes.push(outcome);
  }

  get classCount(): number {
    return this.byContent.size;
  }

  reset(): void {
    this.byValue.clear();
    this.byNumber.clear();
    this.byContent.clear();
    this.nullClass = this.undefinedClass = this.presentClass = null;
  }

  /** The class of `v`; with `known` false, of a value not looked at (every rule passes, nothing known). */
  private classify(v: unknown, known = true): ValueClass {
    const bits = new Int32Array(this.mask.length).fill(~0);
    for (let i = 0; known && i < this.bits.length; i++) {
      const b = this.bits[i]!;
      if (!this.tests[i]!(v)) bits[b >>> 5]! &= ~(1 << (b & 31));
    }
    const outcomes = new Uint8Array(this.outcomes.length);
    for (let i = 0; i < outcomes.length; i++) outcomes[i] = known ? this.outcomes[i]!(v) : UNKNOWN;
    const key = `${bits.join(',')}/${outcomes.join('')}`;
    let c = this.byContent.get(key);
    if (c === undefined) {
      c = { id: this.byContent.size, bits, outcomes };
      this.byContent.set(key, c);
    }
    return c;
  }

  classOf(v: unknown): ValueClass {
    if (v === undefined) return (this.undefinedClass ??= this.classify(undefined));
    if (v === null) return (this.nullClass ??= this.classify(null));
    if (!this.field.categorical) return (this.presentClass ??= this.classify(v, false));
    if (typeof v === 'string') {
      if (v.length > MAX_MEMO_KEY_LENGTH) return this.classify(v);
      let c = this.byValue.get(v);
      if (c === undefined) {
        if (this.byValue.size >= MAX_MEMO_VALUES) this.byValue.clear();
        c = this.classify(v);
        this.byValue.set(v, c);
      }
      return c;
    }
    if (typeof v === 'number') {
      let c = this.byNumber.get(v);
      if (c === undefined) {
        if (this.byNumber.size >= MAX_MEMO_VALUES) this.byNumber.clear();
        c = this.classify(v);
        this.byNumber.set(v, c);
      }
      return c;
    }
    return this.classify(v);
  }
}

function overlaps(a: Int32Array, b: Int32Array): boolean {
  for (let w = 0; w < a.length; w++) if ((a[w]! & b[w]!) !== 0) return true;
  return false;
}

/** A test on a derived value: true (let through) when the deciding value says nothing. */
function derivedTest(derive: Derive, test: ValueTest): ValueTest {
  return (v) => {
    const d = derive(v);
    return d === null || test(d.value);
  };
}

function derivedOutcome(derive: Derive, f: CompiledField<EventRecord>): (v: unknown) => number {
  return (v) => {
    const d = derive(v);
    return d === null ? UNKNOWN : f.test.matches(d.value) ? 1 : 0;
  };
}

export class RuleGate<P> {
  private readonly words: number;
  private readonly all: Int32Array;
  private readonly fields: FieldGate[];
  private root: GateNode<P>;
  private nodes = 0;
  /** Value shortcuts made since the graph (re)started. */
  private edges = 0;

  /**
   * `rules[i]` gets bit i; `fields` in the order to classify them (most selective first); `plan`
   * makes a leaf's plan from the rules left and the outcomes its path knows; past `maxGraph`
   * classes and nodes the gate forgets them all.
   */
  constructor(
    rules: readonly GatedRule[],
    fields: readonly GateField[],
    private readonly plan: (cand: Int32Array, known: KnownTest) => P,
    private readonly maxGraph = MAX_GRAPH_SIZE,
  ) {
    this.words = Math.max(1, Math.ceil(rules.length / 32));
    this.all = new Int32Array(this.words);
    for (let i = 0; i < rules.length; i++) this.all[i >>> 5]! |= 1 << (i & 31);
    const gates = fields.map((f) => new FieldGate(f, this.words));
    rules.forEach((r, bit) => {
      for (const g of gates) {
        const own = g.field.name;
        for (const [name, test] of r.constraints) {
          if (name === own) g.constrain(bit, test);
          for (const c of g.field.covers ?? []) if (c.field === name) g.constrain(bit, derivedTest(c.derive, test));
        }
        for (const f of r.tests) {
          if (!f.exact) continue;
          if (f.field === own) g.record(f, (v) => (f.test.matches(v) ? 1 : 0));
          for (const c of g.field.covers ?? []) if (c.field === f.field) g.record(f, derivedOutcome(c.derive, f));
        }
      }
    });
    this.fields = gates.filter((g) => g.used);
    this.root = this.node(this.all, 0, []);
  }

  private node(cand: Int32Array, from: number, path: Array<ValueClass | undefined>): GateNode<P> {
    this.nodes++;
    let field = -1;
    for (let f = from; f < this.fields.length; f++) {
      if (overlaps(cand, this.fields[f]!.mask)) {
        field = f;
        break;
      }
    }
    return { cand, field, next: [], byString: null, byNumber: null, absent: undefined, nulled: undefined, present: undefined, path, plan: null };
  }

  private graphSize(): number {
    let n = this.nodes;
    for (const g of this.fields) n += g.classCount;
    return n;
  }

  /** The plan for `e`: the leaf its fields lead to. */
  select(e: EventRecord): P {
    let node = this.root;
    while (node.field >= 0) {
      const g = this.fields[node.field]!;
      const v = g.field.get(e);
      // The value's shortcut when one was made (see `follow`), else classify it.
      let next: GateNode<P> | undefined;
      if (v === undefined) next = node.absent;
      else if (v === null) next = node.nulled;
      else if (!g.categorical) next = node.present;
      else if (typeof v === 'string') next = node.byString?.get(v);
      else if (typeof v === 'number') next = node.byNumber?.get(v);
      if (next === undefined) {
        const made = this.follow(node, g, v);
        if (made === null) return this.restart(e);
        next = made;
      }
      node = next;
    }
    return (node.plan ??= this.plan(node.cand, this.knownOn(node.path)));
  }

  /**
   * The node after `node` for value `v` of its field, made when new (null: the graph is full), with
   * a shortcut from the value where the field's class memo would remember the value too.
   */
  private follow(node: GateNode<P>, g: FieldGate, v: unknown): GateNode<P> | null {
    const c = g.classOf(v);
    let next = node.next[c.id];
    if (next === undefined) {
      if (this.graphSize() > this.maxGraph) return null;
      const bits = new Int32Array(this.words);
      for (let w = 0; w < bits.length; w++) bits[w] = node.cand[w]! & c.bits[w]!;
      const path = node.path.slice();
      path[node.field] = c;
      next = this.node(bits, node.field + 1, path);
      node.next[c.id] = next;
    }
    if (v === undefined) node.absent = next;
    else if (v === null) node.nulled = next;
    else if (!g.categorical) node.present = next;
    else if (this.edges < MAX_EDGES) {
      if (typeof v === 'string' && v.length <= MAX_MEMO_KEY_LENGTH) {
        (node.byString ??= new Map()).set(v, next);
        this.edges++;
      } else if (typeof v === 'number') {
        (node.byNumber ??= new Map()).set(v, next);
        this.edges++;
      }
    }
    return next;
  }

  /** The outcome of a rule test that a class on the path knows. */
  private knownOn(path: Array<ValueClass | undefined>): KnownTest {
    return (f) => {
      for (let i = 0; i < this.fields.length; i++) {
        const c = path[i];
        const at = c === undefined ? undefined : this.fields[i]!.outcomeOf.get(f);
        if (at === undefined) continue;
        const o = c!.outcomes[at]!;
        if (o !== UNKNOWN) return o === 1;
      }
      return undefined;
    };
  }

  /** Forgets every class and node (bounded memory), then selects afresh. */
  private restart(e: EventRecord): P {
    for (const g of this.fields) g.reset();
    this.nodes = 0;
    this.edges = 0;
    this.root = this.node(this.all, 0, []);
    return this.select(e);
  }
}
