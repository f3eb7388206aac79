/**
 * Bounds on attacker-written JSON values once parsed. V8's JSON.parse is iterative and accepts any
 * nesting, but JSON.stringify (the store's, ours) recurses and throws "Maximum call stack size
 * exceeded" somewhere past ~2,000 levels; a hostile line can nest 500,000 levels in 1 MiB. So values
 * that might nest deeper than MAX_JSON_DEPTH are pruned before they leave a reader.
 */

/**
 * Deepest nesting kept in attrs. Real audit events (CRD schemas included) stay well under 100;
 * V8's JSON.stringify handles ~1,000 levels on a 1 MB stack. 512 also lets every line shorter
 * than 1,026 characters skip the check (see mayNestDeeperThan).
 */
export const MAX_JSON_DEPTH = 512;

/** Largest JSON text kept for one embedded object or app-event field (16 Ki UTF-16 units). */
export const MAX_FIELD_JSON = 16 * 1024;

/** What replaces a subtree cut off by pruneDeeperThan. */
export const PRUNED_MARK = `[nesting deeper than ${MAX_JSON_DEPTH} levels dropped]`;

/**
 * Whether valid JSON text might nest deeper than `limit`. Cheap for the common case: nesting past
 * `limit` needs `limit + 1` openers and as many closers, so shorter text is skipped; and nesting
 * can not exceed the number of `{` and `[`, counted with indexOf. Only when there are more than
 * `limit` of them is the text scanned exactly (brackets inside strings do not count).
 */
export function mayNestDeeperThan(text: string, limit: number): boolean {
  if (text.length < 2 * (limit + 1)) return false;
  let openers = 0;
  for (let i = text.indexOf('{'); i !== -1 && openers <= limit; i = text.indexOf('{', i + 1)) openers++;
  for (let i = text.indexOf('['); i !== -1 && openers <= limit; i = text.indexOf('[', i + 1)) openers++;
  if (openers <= limit) return false;
  return nestingDepth(text) > limit;
}

/** Maximum bracket depth of JSON text, ignoring brackets inside strings. Linear time. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Replaces every object or array nested deeper than `limit` (the root is level 1) with PRUNED_MARK,
 * in place, iteratively (no recursion, so no stack overflow). Returns whether anything was cut.
 */
export function pruneDeeperThan(root: unknown, limit: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  let pruned = false;
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    const keys = Object.keys(node);
    for (const key of keys) {
      const child = node[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth >= limit) {
        setOwn(node, key, PRUNED_MARK);
        pruned = true;
      } else {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return pruned;
}

/** Whether the JSON text of `value` is longer than `limit` (or can not be produced at all). */
export function jsonLongerThan(value: unknown, limit: number): boolean {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && text.length > limit;
  } catch {
    return true;
  }
}

/** Text for a quarantine head when only the parsed value is at hand (an item inside a document). */
export function jsonTextForHead(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 400);
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

/**
 * Defines an own property even when the key is `__proto__` (which plain assignment would turn
 * into a prototype change): keys copied from attacker-written JSON go through here.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A short description of a JSON value for reasons: `0`, `"v1"`, `an object`, `an array`. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return 'missing';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is a non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
