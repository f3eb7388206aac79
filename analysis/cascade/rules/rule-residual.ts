/**
 * A rule's condition with the tests the gate already knows the outcome of folded in (issue 3: L1
 * throughput). The gate (rule-gate.ts) classifies an event's categorical fields (action, source,
 * resource, actor, …); every test a rule makes on such a field then has a known outcome for the
 * whole class of events, and the condition reduces — with three-valued logic — to true, false, or
 * a residual predicate over the tests still unknown (paths, destinations, commands). A clear rule
 * on action and actor alone reduces to `true` and hits without being evaluated.
 *
 * The residual holds for an event of the class exactly when the condition does: known tests are
 * the same tests on the same values, unknown ones are evaluated as the selection would.
 */
import type { EventRecord } from '../../core/records.js';
import type { RuleLogic } from './compiled-rule.js';
import type { CompiledField } from './detection.js';
import { allOf as allPreds, anyOf as anyPreds, type Pred } from './pred-logic.js';
import type { CondNode } from './sigma-condition.js';

export type Residual = boolean | Pred<EventRecord>;

/** The outcome of `field`'s test for the class at hand, or undefined when not known. */
export type KnownTest = (f: CompiledField<EventRecord>) => boolean | undefined;

function allOf(parts: Residual[]): Residual {
  const preds: Array<Pred<EventRecord>> = [];
  for (const p of parts) {
    if (p === false) return false;
    if (p !== true) preds.push(p);
  }
  return preds.length === 0 ? true : allPreds(preds);
}

function anyOf(parts: Residual[]): Residual {
  const preds: Array<Pred<EventRecord>> = [];
  for (const p of parts) {
    if (p === true) return true;
    if (p !== false) preds.push(p);
  }
  return preds.length === 0 ? false : anyPreds(preds);
}

/** At least `n` of `parts` (n ≥ 2). */
function atLeast(n: number, parts: Residual[]): Residual {
  let sure = 0;
  const preds: Array<Pred<EventRecord>> = [];
  for (const p of parts) {
    if (p === true) sure++;
    else if (p !== false) preds.push(p);
  }
  const need = n - sure;
  if (need <= 0) return true;
  if (preds.length < need) return false;
  return (s) => {
    let c = 0;
    for (let i = 0; i < preds.length; i++) if (preds[i]!(s) && ++c >= need) return true;
    return false;
  };
}

function reduce(node: CondNode, logic: RuleLogic, known: KnownTest): Residual {
  switch (node.t) {
    case 'sel': {
      const sel = logic.selection(node.name);
      if (!sel) return false;
      // Keyword selections test no single field: they stay as they are.
      if (sel.alternatives.length === 0) return sel.pred;
      return anyOf(sel.alternatives.map((alt) => allOf(alt.map((f) => known(f) ?? f.pred))));
    }
    case 'and':
      return allOf(node.a.map((a) => reduce(a, logic, known)));
    case 'or':
      return anyOf(node.a.map((a) => reduce(a, logic, known)));
    case 'not': {
      const r = reduce(node.a, logic, known);
      return typeof r === 'boolean' ? !r : (s) => !r(s);
    }
    case 'of': {
      const parts = node.names.map((name) => reduce({ t: 'sel', name }, logic, known));
      if (node.n === 'all') return allOf(parts);
      if (node.n === 1) return anyOf(parts);
      return atLeast(node.n, parts);
    }
  }
}

/** The names of the selections `logic`'s condition uses. */
export function selectionNames(logic: RuleLogic): Set<string> {
  const names = new Set<string>();
  const walk = (n: CondNode): void => {
    if (n.t === 'sel') names.add(n.name);
    else if (n.t === 'not') walk(n.a);
    else if (n.t === 'of') for (const x of n.names) names.add(x);
    else for (const a of n.a) walk(a);
  };
  for (const n of logic.nodes) walk(n);
  return names;
}

/** What remains of "any of `logic.nodes` holds" once the tests `known` answers are decided. */
export function residualOf(logic: RuleLogic, known: KnownTest): Residual {
  return anyOf(logic.nodes.map((n) => reduce(n, logic, known)));
}

/**
 * True when every test the residual of `logic` could run (those `known` does not answer) passes
 * `reads`: what the residual reads is then what `reads` admits, and nothing else of the event.
 * Keyword selections read every field, so they never pass. Conservative: a test that three-valued
 * logic would drop still counts.
 */
export function residualReadsOnly(logic: RuleLogic, known: KnownTest, reads: (f: CompiledField<EventRecord>) => boolean): boolean {
  for (const name of selectionNames(logic)) {
    const sel = logic.selection(name);
    if (!sel) continue;
    if (sel.alternatives.length === 0) return false;
    for (const alt of sel.alternatives) for (const f of alt) if (known(f) === undefined && !reads(f)) return false;
  }
  return true;
}
