/**
 * Dotted field paths over parsed JSON (`objectRef.resource`, `requestObject.spec.containers.image`),
 * the way Sigma backends address nested Kubernetes audit fields. Arrays met along the way fan out
 * (every container's image), a numeric segment indexes (`sourceIPs.0`), and a key that itself
 * contains dots (`annotations.authorization.k8s.io/decision`) is found by trying the joined rest.
 * The result is a scalar, an array of values (several matches), an object, or undefined.
 */

/** Upper bound on values one path may fan out to: attacker arrays must not cost unbounded time. */
export const MAX_FANOUT = 4096;
/** Upper bound on array elements one lookup visits, however deeply arrays nest. */
export const MAX_VISITS = 16_384;

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export type Getter<T> = (subject: T) => unknown;

/** Checks a dotted path; returns an error message or null. */
export function pathError(path: string): string | null {
  if (path.length === 0 || path.length > 256) return `field path must be 1..256 characters`;
  for (const seg of path.split('.')) {
    if (seg.length === 0) return `field path '${path}' has an empty segment`;
    if (FORBIDDEN.has(seg)) return `field path '${path}' uses the reserved name '${seg}'`;
  }
  return null;
}

function own(v: object, key: string): unknown {
  const x = (v as Record<string, unknown>)[key];
  return typeof x === 'function' ? undefined : x;
}

/**
 * A compiled path: `walk(v, i)` resolves segments i.. of the path from `v` (what the getter does
 * from 0). `firstKeys` are the keys the first step may look up on an object, in the order it
 * tries them, each with the index of the segment after it: the first segment, then the keys
 * joined from several segments, longest first.
 */
export interface PathWalker {
  segments: number;
  firstKeys: ReadonlyArray<readonly [string, number]>;
  walk(v: unknown, from: number): unknown;
}

/** Compiles a path to a walker. Call `pathError` first. */
export function compileWalker(path: string): PathWalker {
  const segs = path.split('.');
  const n = segs.length;
  const isIndex = segs.map((s) => /^\d{1,6}$/.test(s));
  // joins[i]: keys made of segments i..j-1 joined with '.', longest first, with the next index j.
  const joins: Array<Array<[string, number]>> = segs.map((_, i) => {
    const list: Array<[string, number]> = [];
    for (let j = n; j > i + 1; j--) list.push([segs.slice(i, j).join('.'), j]);
    return list;
  });

  function walk(start: unknown, from: number): unknown {
    let v = start;
    for (let i = from; i < n; i++) {
      if (v === null || typeof v !== 'object') return undefined;
      if (Array.isArray(v)) {
        if (isIndex[i]) {
          v = v[Number(segs[i])];
          continue;
        }
        return fanOut(v, i);
      }
      let next = own(v, segs[i]!);
      if (next === undefined) {
        const alts = joins[i]!;
        let found = false;
        for (let k = 0; k < alts.length; k++) {
          const alt = alts[k]!;
          next = own(v, alt[0]);
          if (next !== undefined) {
            i = alt[1] - 1;
            found = true;
            break;
          }
        }
        if (!found) return undefined;
      }
      v = next;
    }
    return v;
  }

  // Shared by the nested fan-outs of one lookup; reset by the outermost one.
  let visits = 0;
  let nesting = 0;

  function fanOut(arr: unknown[], i: number): unknown {
    if (nesting++ === 0) visits = 0;
    try {
      return fanOutInner(arr, i);
    } finally {
      nesting--;
    }
  }

  function fanOutInner(arr: unknown[], i: number): unknown {
    const out: unknown[] = [];
    const len = arr.length < MAX_FANOUT ? arr.length : MAX_FANOUT;
    for (let k = 0; k < len && out.length < MAX_FANOUT && visits++ < MAX_VISITS; k++) {
      const r = walk(arr[k], i);
      if (r === undefined) continue;
      if (Array.isArray(r)) {
        for (let m = 0; m < r.length && out.length < MAX_FANOUT; m++) out.push(r[m]);
      } else out.push(r);
    }
    return out.length ? out : undefined;
  }

  return { segments: n, firstKeys: [[segs[0]!, 1], ...joins[0]!], walk };
}

/** Compiles a path to a getter over a JSON value. Call `pathError` first. */
export function compilePath(path: string): Getter<unknown> {
  const { segments, firstKeys, walk } = compileWalker(path);
  if (segments === 1 && !/^\d{1,6}$/.test(path)) {
    const key = firstKeys[0]![0];
    return (s) => (s !== null && typeof s === 'object' && !Array.isArray(s) ? own(s, key) : walk(s, 0));
  }
  return (s) => walk(s, 0);
}
