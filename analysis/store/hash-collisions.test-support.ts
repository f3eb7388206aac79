/** AuditIDs whose keyed hashes collide under a known key, found by search (birthday: ~2^16.5 tries a pair). */
import { hashOf } from './audit-id-table.js';

/** `count` pairs of distinct UUID-shaped auditIDs with equal `hashOf(·, seed)`. */
export function collidingPairs(seed: number, count: number): [string, string][] {
  const seen = new Map<number, string>();
  const pairs: [string, string][] = [];
  for (let i = 0; pairs.length < count; i++) {
    const id = `6399f181-8870-4a9d-9ace-${i.toString(16).padStart(12, '0')}`;
    const h = hashOf(id, seed);
    const other = seen.get(h);
    if (other !== undefined) pairs.push([other, id]);
    else seen.set(h, id);
  }
  return pairs;
}
