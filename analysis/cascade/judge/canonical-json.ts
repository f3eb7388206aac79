/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, strings and numbers
 * exactly as `JSON.stringify` writes them. The judge hashes requests in this form (the prompt
 * hash is the cache key) and sends them in this form, so "identical input" means identical bytes.
 * Only plain data is expected (what JSON.parse could produce); anything else is dropped the way
 * JSON.stringify drops it.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify writes null for NaN/Infinity and nothing for undefined/functions/symbols.
    const text = typeof value === 'bigint' ? JSON.stringify(value.toString()) : JSON.stringify(value);
    out.push(text === undefined ? 'null' : text);
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], out);
    }
    out.push(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  out.push('{');
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':');
    write(v, out);
  }
  out.push('}');
}
