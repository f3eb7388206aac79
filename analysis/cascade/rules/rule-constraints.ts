/**
 * Necessary conditions of a rule, one per field (issue 3: L1 throughput): "this rule can only
 * match when `action` is one of …, `actor` starts with …, `destination` is present". The engine's
 * gate (rule-gate.ts) checks them for all rules at once and calls only the rules whose every
 * condition holds, so a condition must never be false where the rule could hold — it may be true
 * where the rule does not (the rule itself still decides).
 *
 * Derived from the condition tree: a selection constrains a field when every alternative (map of
 * a list) tests it (the alternative's tests on it, ANDed; the alternatives ORed); `and` combines
 * the constraints of its operands, `or` and `1 of` need one from every operand, `not` gives none.
 * The tests are the selections' own field tests (FieldTest.matches), applied to the value the
 * field's getter returns — the value the selection itself tests.
 */
import type { CondNode } from './sigma-condition.js';
import { allOf, anyOf } from './pred-logic.js';

export type ValueTest = (v: unknown) => boolean;

export interface FieldConstraint {
  field: string;
  test: ValueTest;
}

/** A selection's field tests: one list per alternative; empty for keyword selections. */
export type SelectionTests = ReadonlyArray<ReadonlyArray<{ field: string; test: { matches: ValueTest } }>>;

/** The test `field`'s value must pass for `node` to hold, or null when `node` does not constrain it. */
export function fieldConstraint(node: CondNode, field: string, selection: (name: string) => SelectionTests | undefined): ValueTest | null {
  const all = (nodes: CondNode[]): ValueTest | null => {
    const found: ValueTest[] = [];
    for (const n of nodes) {
      const t = fieldConstraint(n, field, selection);
      if (t) found.push(t);
    }
    return found.length ? allOf(found) : null;
  };
  const any = (nodes: CondNode[]): ValueTest | null => {
    const found: ValueTest[] = [];
    for (const n of nodes) {
      const t = fieldConstraint(n, field, selection);
      if (!t) return null;
      found.push(t);
    }
    return found.length ? anyOf(found) : null;
  };
  switch (node.t) {
    case 'sel': {
      const alts = selection(node.name);
      if (!alts || alts.length === 0) return null;
      const perAlt: ValueTest[] = [];
      for (const alt of alts) {
        const own = alt.filter((f) => f.field === field).map((f) => f.test.matches);
        if (own.length === 0) return null;
        perAlt.push(allOf(own));
      }
      return anyOf(perAlt);
    }
    case 'and':
      return all(node.a);
    case 'or':
      return any(node.a);
    case 'not':
      return null;
    case 'of': {
      const sels: CondNode[] = node.names.map((name) => ({ t: 'sel', name }));
      // `all of` is an AND; `1 of` and `N of` need at least one selection to hold.
      return node.n === 'all' ? all(sels) : any(sels);
    }
  }
}

/**
 * The constraints of a rule that holds when any of `nodes` holds (a condition list, or the event
 * steps of a sequence), over the fields its selections test.
 */
export function ruleConstraints(nodes: readonly CondNode[], fields: readonly string[], selection: (name: string) => SelectionTests | undefined): FieldConstraint[] {
  const out: FieldConstraint[] = [];
  for (const field of fields) {
    const t = fieldConstraint(nodes.length === 1 ? nodes[0]! : { t: 'or', a: [...nodes] }, field, selection);
    if (t) out.push({ field, test: t });
  }
  return out;
}
