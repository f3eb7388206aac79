/**
 * Where the state dict sits inside a checkpoint, from the tensor names: a raw state dict is the
 * object itself; a full checkpoint keeps it under `state_dict`, `model`, … (possibly nested, e.g.
 * `checkpoint['model']['state_dict']`); a list checkpoint keeps it in one of its items. The
 * specific keys are checked before the generic case, the fix for mlsec's unreachable-branch bug.
 */

/** Keys training code stores the weights under, most specific first. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model_state', 'model', 'module', 'net', 'network', 'ema', 'model_ema', 'params', 'weights'] as const;

/** Dotted prefix ('' or ending in '.') of the state dict among `names`. */
export function stateDictPrefix(names: readonly string[], rootIsSequence: boolean): string {
  let prefix = '';
  let rel = names.slice();
  for (let depth = 0; depth < 4 && rel.length > 0; depth++) {
    const groups = new Map<string, number>();
    for (const n of rel) {
      const dot = n.indexOf('.');
      if (dot === -1) continue; // a tensor right here: this level is (part of) the state dict
      const g = n.slice(0, dot);
      groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    let next: string | null = null;
    for (const k of STATE_DICT_KEYS) if (groups.has(k)) { next = k; break; }
    if (next === null && depth === 0 && rootIsSequence && groups.size > 0) {
      // A list checkpoint ([state_dict, optimizer_state, …]): the item with the most tensors.
      next = [...groups.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    }
    if (next === null) break;
    const p = `${next}.`;
    prefix += p;
    rel = rel.filter((n) => n.startsWith(p)).map((n) => n.slice(p.length));
  }
  return prefix;
}
