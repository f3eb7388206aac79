/**
 * SHA-256 over a canonical serialisation of the training inputs, so a training report names exactly
 * the data its models came from: splits in a fixed order, each trajectory as JSON with object keys
 * sorted (code-unit order) at every depth, `undefined` members dropped (as JSON.stringify does),
 * non-finite numbers as null, one trajectory per line.
 */
import { createHash } from 'node:crypto';

export const DATA_HASH_CANONICALISATION = 'sha256 over "<split>\\n" then one sorted-key JSON line per trajectory, splits train, validation, test, heldOut';

const MAX_DEPTH = 64;

export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (depth >= MAX_DEPTH) return '"<depth limit>"';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v, depth + 1))).join(',')}]`;
  if (ArrayBuffer.isView(value)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>), depth + 1);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function').sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k], depth + 1)}`).join(',')}}`;
  }
  return 'null';
}

/** Hex SHA-256 of the named splits' items, in the order given. */
export function hashSplits(splits: readonly (readonly [string, readonly unknown[] | undefined])[]): string {
  const h = createHash('sha256');
  for (const [name, items] of splits) {
    if (!items) continue;
    h.update(`${name}\n`);
    for (const item of items) h.update(`${canonicalJson(item)}\n`);
  }
  return h.digest('hex');
}
