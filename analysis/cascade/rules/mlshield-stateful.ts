/**
 * The stateful MLShield rule forms: sliding windows (count, distinct values, byte sums) and
 * ordered sequences, keyed by event fields. State lives in the evaluator that `instantiate`
 * returns, bounded per window-state.ts: at most `maxKeysPerRule` keys per rule (LRU), keys idle
 * for a whole window swept every 1024 updates, count and distinct windows within a per-rule
 * memory budget in their unit (`maxCountSlotsPerRule`, `maxDistinctCharsPerRule`), and every form
 * within estimated bytes per rule and engine-wide (`maxStateBytesPerRule`, `maxStateBytes`,
 * state-pool.ts); least recently used keys of the rule forgotten beyond any of them.
 *
 * A key state records the bytes it has charged (`bytes`): after each event the key's estimate is
 * recomputed from its window's size (a few additions, no allocation) and only a change is charged;
 * the LRU's release callback gives back exactly what was charged.
 */
import type { EventRecord } from '../../core/records.js';
import type { CompiledRule, EngineLimits, RuleEvaluator, RuleHit, RuleIndexKey, RuleLogic, RuleMeta } from './compiled-rule.js';
import { chooseIndex, EVENT_INDEX_FIELDS } from './compiled-rule.js';
import { LazyHit } from './rule-hit.js';
import { compileDetection, type CompiledDetection, type FieldResolver, type Issue, type Pred } from './detection.js';
import { eventFieldResolver, gpuFieldResolver } from './event-fields.js';
import type { Getter } from './field-path.js';
import type { GpuWindow } from './gpu-window.js';
import type { CondNode } from './sigma-condition.js';
import { conditionSelections, parseCondition } from './sigma-condition.js';
import {
  boundedText, COUNT_SLOT_BUDGET, CountWindow, DISTINCT_CHAR_BUDGET, DistinctWindow, KeyedLru, SequenceProgress, SumWindow, WindowBudget, windowAmount,
} from './window-state.js';
import { keyBytes, stateAccountFor } from './state-pool.js';
import { formatBytes, formatDuration, parseByteSize, parseDurationMicros } from './units.js';
import { exactSetTest } from './wildcard.js';
import type { MlsRuleDoc, SequenceDoc, WindowDoc } from './mlshield-rule.js';
import type { CompileOutput } from './sigma-compile.js';

const SWEEP_EVERY = 1024;

/** A key part or distinct value: long text bounded without merging values that share a prefix. */
function firstScalar(v: unknown): string | null {
  let x = v;
  for (let i = 0; i < 4 && Array.isArray(x); i++) x = x[0];
  if (typeof x === 'string') return boundedText(x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return null;
}

interface KeyFn<T> {
  names: string[];
  key(s: T): string | null;
}

function compileKey<T>(by: string[], resolver: FieldResolver<T>, path: Array<string | number>, issues: Issue[]): KeyFn<T> | null {
  const getters: Array<Getter<T>> = [];
  by.forEach((f, i) => {
    const l = resolver.field(f);
    if ('error' in l) issues.push({ path: [...path, i], message: l.error });
    else getters.push(l.get);
  });
  if (getters.length !== by.length) return null;
  if (getters.length === 1) {
    const g = getters[0]!;
    return { names: by, key: (s) => firstScalar(g(s)) };
  }
  // Each part is written as `<length>:<text>`: a separator character alone would let attacker
  // text containing it make two different (actor, job) pairs one key.
  return {
    names: by,
    key(s) {
      let k = '';
      for (let i = 0; i < getters.length; i++) {
        const v = firstScalar(getters[i]!(s));
        if (v === null) return null;
        k += v.length + ':' + v;
      }
      return k;
    },
  };
}

function keyText(names: string[], key: string): string {
  if (names.length === 1) return `${names[0]}=${JSON.stringify(key)}`;
  const parts: string[] = [];
  for (let at = 0; at < key.length && parts.length < names.length; ) {
    const colon = key.indexOf(':', at);
    const len = Number(key.slice(at, colon));
    parts.push(key.slice(colon + 1, colon + 1 + len));
    at = colon + 1 + len;
  }
  return names.map((n, i) => `${n}=${JSON.stringify(parts[i] ?? '')}`).join(', ');
}

interface WindowKeyState {
  lastTs: number;
  /** Estimated bytes charged for the key (state-pool.ts), and those of its key alone. */
  bytes: number;
  keyBytes: number;
  count: CountWindow | null;
  distinct: DistinctWindow | null;
  sum: SumWindow | null;
}

export function compileWindowRule(
  w: WindowDoc,
  meta: RuleMeta,
  det: CompiledDetection<EventRecord>,
  cond: { pred: Pred<EventRecord>; node: CondNode },
  index: RuleIndexKey | null,
  warnings: Issue[],
): CompileOutput {
  const issues: Issue[] = [];
  const size = parseDurationMicros(w.size)!;
  const t = w.threshold;
  const kinds = [t.count !== undefined, t.distinct !== undefined, t.sum !== undefined].filter(Boolean).length;
  if (kinds !== 1) issues.push({ path: ['window', 'threshold'], message: 'threshold needs exactly one of count, distinct, sum' });
  if (t.distinct !== undefined && !w.distinct) issues.push({ path: ['window'], message: "a distinct threshold needs 'distinct: <field>'" });
  if (t.sum !== undefined && !w.sum) issues.push({ path: ['window'], message: "a sum threshold needs 'sum: <field>'" });
  // A zero threshold would hold on every event; the window would never be made and never fire.
  if (t.sum !== undefined && !(parseByteSize(t.sum)! > 0)) issues.push({ path: ['window', 'threshold', 'sum'], message: 'a sum threshold must be more than 0' });
  const keyFn = compileKey(w.by, eventFieldResolver, ['window', 'by'], issues);
  let distinctGet: Getter<EventRecord> | null = null;
  let sumGet: Getter<EventRecord> | null = null;
  if (w.distinct) {
    const l = eventFieldResolver.field(w.distinct);
    if ('error' in l) issues.push({ path: ['window', 'distinct'], message: l.error });
    else distinctGet = l.get;
  }
  if (w.sum) {
    const l = eventFieldResolver.field(w.sum);
    if ('error' in l) issues.push({ path: ['window', 'sum'], message: l.error });
    else sumGet = l.get;
  }
  if (issues.length || !keyFn) return { rule: null, issues, warnings };

  const countN = t.count ?? 0;
  const distinctN = t.distinct ?? 0;
  const sumN = t.sum !== undefined ? parseByteSize(t.sum)! : 0;
  const { pred, node } = cond;
  const sizeText = formatDuration(size);
  const names = keyFn.names;
  // The reason, written when read (rule-hit.ts): what was measured, by which key, on which event.
  const explain = (e: EventRecord, key: string, measured: number): string => {
    const measure = countN
      ? `${measured} events in ${sizeText}`
      : distinctN
        ? `${measured} distinct ${w.distinct} in ${sizeText}`
        : `${formatBytes(measured)} of ${w.sum} in ${sizeText} (threshold ${formatBytes(sumN)})`;
    return `${measure} by ${keyText(names, key)}; ${det.describe(e, node)}`;
  };

  function instantiate(limits: EngineLimits): RuleEvaluator {
    // The form's own budget (sum windows hold 60 numbers a key: only bytes bound them).
    const budget = new WindowBudget(
      countN ? (limits.maxCountSlotsPerRule ?? COUNT_SLOT_BUDGET) : distinctN ? (limits.maxDistinctCharsPerRule ?? DISTINCT_CHAR_BUDGET) : Infinity,
    );
    const account = stateAccountFor(limits);
    const release = (st: WindowKeyState): void => {
      budget.used -= st.count !== null ? st.count.held : st.distinct !== null ? st.distinct.held : 0;
      account.charge(-st.bytes);
    };
    const lru = new KeyedLru<WindowKeyState>(limits.maxKeysPerRule, release);
    let updates = 0;
    const create = (key: string): WindowKeyState => ({
      lastTs: -Infinity,
      bytes: 0,
      keyBytes: keyBytes(key.length),
      count: countN ? new CountWindow(countN, budget) : null,
      distinct: distinctN ? new DistinctWindow(distinctN, budget) : null,
      sum: sumN ? new SumWindow(size) : null,
    });
    return {
      event: (e: EventRecord, _ctx, out: RuleHit[]) => {
        if (!pred(e)) return;
        const key = keyFn!.key(e);
        if (key === null) return;
        let value: string | null = null;
        let amount = 0;
        if (distinctGet) {
          value = firstScalar(distinctGet(e));
          if (value === null) return;
        }
        if (sumGet) {
          const n = windowAmount(sumGet(e));
          if (n === null) return;
          amount = n;
        }
        const st = lru.touch(key, create);
        const ts = e.ts > st.lastTs ? e.ts : st.lastTs;
        st.lastTs = ts;
        if (++updates % SWEEP_EVERY === 0) lru.sweep(ts - size);
        let measured = -1;
        if (st.count) {
          const n = st.count.add(ts, size);
          if (n >= countN) measured = n;
        } else if (st.distinct) {
          const n = st.distinct.add(value!, ts, size);
          if (n >= distinctN) measured = n;
        } else if (st.sum) {
          const total = st.sum.add(ts, amount);
          if (total >= sumN) measured = total;
        }
        // Over budget: forget other keys (this one is the most recent), as beyond the key limit.
        if (budget.used > budget.limit) lru.fit(budget);
        const bytes = st.keyBytes + (st.count !== null ? st.count.bytes : st.distinct !== null ? st.distinct.bytes : SumWindow.bytes);
        const grew = bytes - st.bytes;
        if (grew !== 0) {
          st.bytes = bytes;
          account.charge(grew);
          if (grew > 0 && account.over) lru.fitAccount(account);
        }
        if (measured >= 0) out.push(new LazyHit(meta, explain, e, key, measured));
      },
      stateSize: () => ({ keys: lru.size, used: account.used, limit: account.limit }),
    };
  }
  const logic: RuleLogic = { nodes: [node], selection: (name) => det.selection(name) };
  const rule: CompiledRule = { meta, origin: 'mlshield', inputs: { event: true, gpu: false }, index, stateful: true, constraints: det.constraints([node]), logic, instantiate };
  return { rule, issues, warnings };
}

interface Step<T> {
  text: string;
  pred: Pred<T>;
  /**
   * A cheap pre-check: true when the action is one the step requires (lower-case, or its lower
   * case is); null when the step requires none.
   */
  actions: ((action: string) => boolean) | null;
}

interface SeqKeyState {
  lastTs: number;
  /** Estimated bytes charged for the key (state-pool.ts): fixed once made. */
  bytes: number;
  progress: SequenceProgress;
}

/** Whether `s` satisfies a step: its required actions first (a cheap test), then its predicate. */
function holds<T>(step: Step<T>, s: T, action: string | null): boolean {
  const acts = step.actions;
  if (acts !== null && (action === null || !acts(action))) return false;
  return step.pred(s);
}

export function compileSequenceRule(r: MlsRuleDoc, seq: SequenceDoc, meta: RuleMeta, warnings: Issue[]): CompileOutput {
  const issues: Issue[] = [];
  if ('condition' in r.detection) issues.push({ path: ['detection', 'condition'], message: "sequence rules take their conditions from 'sequence.steps'" });
  const within = parseDurationMicros(seq.within)!;
  const steps = seq.steps.map((s) => (typeof s === 'string' ? { condition: s, input: 'event' as const } : { condition: s.condition, input: s.input ?? ('event' as const) }));
  const names = Object.keys(r.detection).filter((k) => k !== 'condition');
  const used: Record<'event' | 'gpu', Set<string>> = { event: new Set(), gpu: new Set() };
  steps.forEach((s, i) => {
    const p = parseCondition(s.condition, names);
    if (!p.ok) issues.push({ path: ['sequence', 'steps', i], message: p.error });
    else conditionSelections(p.node, used[s.input]);
  });
  if (seq.reset !== undefined) {
    const p = parseCondition(seq.reset, names);
    if (!p.ok) issues.push({ path: ['sequence', 'reset'], message: p.error });
    else if (used.event.size === 0 && used.gpu.size > 0) issues.push({ path: ['sequence', 'reset'], message: 'reset is an event condition; this sequence has no event steps' });
    else conditionSelections(p.node, used.event);
  }
  if (issues.length) return { rule: null, issues, warnings };
  const subset = (set: Set<string>): Record<string, unknown> => Object.fromEntries(Object.entries(r.detection).filter(([k]) => set.has(k)));
  // The steps' conditions tell each selection's polarity (a cidr test under `not` needs every reading of an address: detection.ts).
  const conditionsOf = (input: 'event' | 'gpu'): string[] => [
    ...steps.filter((s) => s.input === input).map((s) => s.condition),
    ...(input === 'event' && seq.reset !== undefined ? [seq.reset] : []),
  ];
  const detE = used.event.size ? compileDetection<EventRecord>(subset(used.event), eventFieldResolver, ['detection'], issues, warnings, conditionsOf('event')) : null;
  const detG = used.gpu.size ? compileDetection<GpuWindow>(subset(used.gpu), gpuFieldResolver, ['detection'], issues, warnings, conditionsOf('gpu')) : null;
  const hasGpu = detG !== null;
  const keyE = detE ? compileKey(seq.by, eventFieldResolver, ['sequence', 'by'], issues) : null;
  const keyG = detG ? compileKey(seq.by, gpuFieldResolver, ['sequence', 'by'], issues) : null;
  if (issues.length) return { rule: null, issues, warnings };

  const eventSteps: Array<{ index: number; step: Step<EventRecord> }> = [];
  const gpuSteps: Array<{ index: number; step: Step<GpuWindow> }> = [];
  const eventNodes: CondNode[] = [];
  /** An event condition compiled as a step (its node kept for the index and the constraints), or null with its issue recorded. */
  const eventStep = (text: string, path: Array<string | number>): Step<EventRecord> | null => {
    const c = detE!.compileCondition(text, path);
    if (!c.ok) {
      issues.push(c.issue);
      return null;
    }
    const actions = detE!.requiredValues(c.node, 'action');
    eventNodes.push(c.node);
    return { text, pred: c.pred, actions: actions ? exactSetTest(actions) : null };
  };
  steps.forEach((s, i) => {
    if (s.input === 'gpu') {
      const c = detG!.compileCondition(s.condition, ['sequence', 'steps', i]);
      if (!c.ok) issues.push(c.issue);
      else gpuSteps.push({ index: i, step: { text: s.condition, pred: c.pred, actions: null } });
    } else {
      const step = eventStep(s.condition, ['sequence', 'steps', i]);
      if (step !== null) eventSteps.push({ index: i, step });
    }
  });
  // The reset: an event step of its own (index and constraints count it), which forgets instead of advancing.
  const reset = seq.reset !== undefined && detE ? eventStep(seq.reset, ['sequence', 'reset']) : null;
  if (issues.length) return { rule: null, issues, warnings };

  // Index on the union of the event steps' required values of one field, when every event step
  // pins it (GPU steps arrive through evaluateGpuWindow, which has no index).
  const chosen = detE
    ? chooseIndex(EVENT_INDEX_FIELDS, (field) => {
        const union = new Set<string>();
        for (const n of eventNodes) {
          const v = detE.requiredValues(n, field);
          if (!v) return null;
          for (const x of v) union.add(x);
        }
        return [...union];
      })
    : null;
  const index: RuleIndexKey | null = chosen ? { key: `event.${chosen.field}`, values: chosen.values } : null;
  const chain = steps.map((s) => s.condition).join(' → ');
  const withinText = formatDuration(within);
  const explainSequence = (key: string, took: number, names: string[]): string =>
    `sequence ${chain} by ${keyText(names, key)} completed in ${formatDuration(Math.max(0, Math.round(took / 1e6)) * 1e6)} (limit ${withinText})`;

  function instantiate(limits: EngineLimits): RuleEvaluator {
    const account = stateAccountFor(limits);
    const lru = new KeyedLru<SeqKeyState>(limits.maxKeysPerRule, (st) => account.charge(-st.bytes));
    // Step indices one event satisfies (a typed scratch: emptying an array would free its storage).
    const matched = new Int32Array(steps.length);
    let updates = 0;
    const progressBytes = SequenceProgress.bytesFor(steps.length);
    const create = (): SeqKeyState => ({ lastTs: -Infinity, bytes: 0, progress: new SequenceProgress(steps.length) });
    function feed<T>(list: Array<{ index: number; step: Step<T> }>, keyFn: KeyFn<T>, s: T, tsIn: number, out: RuleHit[], action: string | null, forget: Step<T> | null): void {
      let n = 0;
      for (let i = 0; i < list.length; i++) {
        const x = list[i]!;
        if (holds(x.step, s, action)) matched[n++] = x.index;
      }
      const resets = forget !== null && holds(forget, s, action);
      if (n === 0 && !resets) return;
      const key = keyFn.key(s);
      if (key === null) return;
      if (resets) {
        // The key's progress forgotten (its state, charged once, stays until swept).
        lru.peek(key)?.progress.starts.fill(NaN);
        if (n === 0) return;
      }
      const st = lru.touch(key, create);
      if (st.bytes === 0) {
        // A new key: charged once it is in the map, then the rule fits around it.
        st.bytes = keyBytes(key.length) + progressBytes;
        account.charge(st.bytes);
        if (account.over) lru.fitAccount(account);
      }
      const ts = tsIn > st.lastTs ? tsIn : st.lastTs;
      st.lastTs = ts;
      if (++updates % SWEEP_EVERY === 0) lru.sweep(ts - within);
      const start = st.progress.advance(matched, ts, within, n);
      if (!Number.isNaN(start)) {
        out.push(new LazyHit(meta, explainSequence, key, ts - start, keyFn.names));
      }
    }
    const ev: RuleEvaluator = { stateSize: () => ({ keys: lru.size, used: account.used, limit: account.limit }) };
    if (detE) ev.event = (e, _ctx, out) => feed(eventSteps, keyE!, e, e.ts, out, typeof e.action === 'string' ? e.action : null, reset);
    if (detG) ev.gpu = (w, out) => feed(gpuSteps, keyG!, w, w.end, out, null, null);
    return ev;
  }
  // An event feeds the sequence only when one of its event steps holds.
  const constraints = detE ? detE.constraints(eventNodes) : [];
  const logic: RuleLogic | undefined = detE ? { nodes: eventNodes, selection: (name) => detE.selection(name) } : undefined;
  const rule: CompiledRule = { meta, origin: 'mlshield', inputs: { event: detE !== null, gpu: hasGpu }, index, stateful: true, constraints, ...(logic ? { logic } : {}), instantiate };
  return { rule, issues, warnings };
}
