/**
 * What a JSON Patch (RFC 6902) request body writes, as an object the request-body readers walk.
 *
 * `kubectl patch deploy trainer --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sh","-c","…"]}]'`
 * reaches the audit log as that array: audit.k8s.io logs a patch's body as it was sent. An array
 * has no `spec`, so every reader of `requestObject.spec…` saw nothing there. A person could change
 * what a Deployment runs, mount a host path, expose a Ray head or widen a Role past every rule that
 * reads the request body, just by choosing `--type=json` over a merge patch.
 *
 * The view places each `add` and `replace` value at its pointer in a sparse object, and each `copy`
 * and `move` whose `from` is a place this patch wrote:
 * `{spec: {template: {spec: {containers: [{command: […]}]}}}}`. It is what the patch writes, not the
 * object after it. The live object's other fields are not in the event (at level Request), so a
 * patch that replaces one argument shows that argument alone.
 *
 * How it reads what it cannot know:
 *   - The live arrays are unknown. Each index the patch names is one element, in the order first
 *     named. `-` appends a new element. An `add` at an index names a new element there (JSON Patch
 *     inserts).
 *   - Below a node the patch makes, a segment of digits or `-` makes an array, any other an object.
 *   - `remove` and `test` write nothing. A value that one patch adds and then removes still
 *     counts: the view errs on the side of seeing.
 *   - A `""` pointer (the whole document) with an object value starts the view from that object.
 *
 * Hostile input:
 *   - The view's objects have no prototype: `__proto__` is a key like any other.
 *   - Values taken from the body are never changed. An op below one copies it first.
 *   - At most MAX_OPS ops are read, each pointer at most MAX_POINTER characters and MAX_DEPTH
 *     segments, and at most MAX_NODES nodes are made. A malformed op (no string `op` or `path`, a
 *     bad `~` escape) is skipped, as the API server would refuse the patch.
 * Memoized per body (a WeakMap on the array): every field of an event reads the same view.
 */

export type JsonObject = Record<string, unknown>;

/** Ops read from one patch. */
export const MAX_OPS = 1024;
/** Segments of one pointer. */
export const MAX_DEPTH = 32;
/** Characters of one pointer. */
export const MAX_POINTER = 1024;
/** Objects and arrays the view makes (copies included). */
export const MAX_NODES = 4096;

type Node = JsonObject | unknown[];

/** `v` when it is a JSON object (not an array), else null. */
export function obj(v: unknown): JsonObject | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
}

const INDEX = /^(?:0|[1-9]\d{0,8})$/;

function isIndexSegment(s: string): boolean {
  return s === '-' || INDEX.test(s);
}

/** The segments of a JSON pointer (RFC 6901), unescaped; null when it is not one or is out of bounds. */
export function pointerSegments(p: unknown): string[] | null {
  if (typeof p !== 'string' || p.length > MAX_POINTER) return null;
  if (p === '') return [];
  if (p[0] !== '/') return null;
  const raw = p.slice(1).split('/');
  if (raw.length > MAX_DEPTH) return null;
  const out: string[] = [];
  for (const s of raw) {
    if (s.indexOf('~') < 0) {
      out.push(s);
      continue;
    }
    if (/~(?![01])/.test(s)) return null;
    out.push(s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return out;
}

/** One patch's view under construction. */
class ViewBuilder {
  root: JsonObject = Object.create(null) as JsonObject;
  /** Nodes the view owns (made or copied here): only these are ever written. */
  private readonly owned = new WeakSet<object>();
  /** Per owned array: pointer index → position. A copied array's first `base` positions answer for themselves. */
  private readonly positions = new Map<unknown[], { keys: Map<string, number>; base: number }>();
  private nodes = 1;
  wrote = false;

  constructor() {
    this.owned.add(this.root);
  }

  apply(op: unknown): void {
    const o = obj(op);
    if (o === null || typeof o.op !== 'string') return;
    const kind = o.op;
    if (kind !== 'add' && kind !== 'replace' && kind !== 'copy' && kind !== 'move') return;
    const path = pointerSegments(o.path);
    if (path === null) return;
    let value: unknown;
    if (kind === 'copy' || kind === 'move') {
      const from = pointerSegments(o.from);
      value = from === null ? undefined : this.read(from);
    } else value = o.value;
    if (value === undefined) return;
    if (path.length === 0) {
      const whole = obj(value);
      if (whole !== null && this.nodes < MAX_NODES) {
        this.root = this.copyObject(whole);
        this.wrote = true;
      }
      return;
    }
    let node: Node = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = this.descend(node, path[i]!, path[i + 1]!);
      if (next === null) return;
      node = next;
    }
    this.place(node, path[path.length - 1]!, value, kind === 'add' || kind === 'copy' || kind === 'move');
    this.wrote = true;
  }

  /** The value at `path` in the view so far, or undefined. */
  private read(path: readonly string[]): unknown {
    let v: unknown = this.root;
    for (const seg of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = Array.isArray(v) ? this.elementAt(v, seg) : this.ownValue(v as JsonObject, seg);
    }
    return v;
  }

  private ownValue(o: JsonObject, key: string): unknown {
    return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
  }

  /** The position of `seg` in `arr`: an owned array's by the patch's indices, a body's array (placed whole) by its own. */
  private position(arr: unknown[], seg: string): number | undefined {
    if (seg === '-') return undefined;
    const p = this.positions.get(arr);
    const known = p?.keys.get(seg);
    if (known !== undefined) return known;
    const n = INDEX.test(seg) ? Number(seg) : -1;
    return n >= 0 && n < (p === undefined ? arr.length : p.base) ? n : undefined;
  }

  private elementAt(arr: unknown[], seg: string): unknown {
    const pos = this.position(arr, seg);
    return pos === undefined ? undefined : arr[pos];
  }

  /** The owned node at `seg` below `node`, made (or copied from the body) when it is not one; null past MAX_NODES. */
  private descend(node: Node, seg: string, nextSeg: string): Node | null {
    const cur = Array.isArray(node) ? this.elementAt(node, seg) : this.ownValue(node, seg);
    if (cur !== null && typeof cur === 'object' && this.owned.has(cur)) return cur as Node;
    if (this.nodes >= MAX_NODES) return null;
    let made: Node;
    if (Array.isArray(cur)) made = this.copyArray(cur);
    else {
      const o = obj(cur);
      made = o !== null ? this.copyObject(o) : isIndexSegment(nextSeg) ? this.newArray() : this.newObject();
    }
    this.place(node, seg, made, false);
    return made;
  }

  private newObject(): JsonObject {
    const o = Object.create(null) as JsonObject;
    this.owned.add(o);
    this.nodes++;
    return o;
  }

  private copyObject(src: JsonObject): JsonObject {
    const o = this.newObject();
    for (const k of Object.keys(src)) o[k] = src[k];
    return o;
  }

  private newArray(base = 0): unknown[] {
    const a: unknown[] = [];
    this.owned.add(a);
    this.positions.set(a, { keys: new Map(), base });
    this.nodes++;
    return a;
  }

  private copyArray(src: unknown[]): unknown[] {
    const a = this.newArray(src.length);
    for (let i = 0; i < src.length; i++) a.push(src[i]);
    return a;
  }

  /** Writes `value` at `seg` of the owned `node`. `insert`: an array index names a new element (add). */
  private place(node: Node, seg: string, value: unknown, insert: boolean): void {
    if (!Array.isArray(node)) {
      node[seg] = value;
      return;
    }
    const p = this.positions.get(node)!;
    const pos = this.position(node, seg);
    if (pos !== undefined && !insert) {
      node[pos] = value;
      return;
    }
    node.push(value);
    if (seg !== '-') p.keys.set(seg, node.length - 1);
  }
}

const views = new WeakMap<unknown[], JsonObject | null>();

/** What the JSON Patch `ops` writes (see the file comment), or null when no op of it writes anything. */
export function jsonPatchView(ops: unknown[]): JsonObject | null {
  const known = views.get(ops);
  if (known !== undefined) return known;
  const b = new ViewBuilder();
  const n = Math.min(ops.length, MAX_OPS);
  for (let i = 0; i < n; i++) b.apply(ops[i]);
  const view = b.wrote ? b.root : null;
  views.set(ops, view);
  return view;
}

/** A request body as an object: the object itself, or what a JSON Patch writes; null for anything else. */
export function requestBody(v: unknown): JsonObject | null {
  return obj(v) ?? (Array.isArray(v) ? jsonPatchView(v) : null);
}

/**
 * A getter for a path below a request body (`walk` compiled from it): on a JSON Patch, the path in
 * what the patch writes, else in the array as it is (a rule may read the ops themselves).
 */
export function bodyPathGetter(walk: (body: unknown) => unknown): (body: unknown) => unknown {
  return (body) => {
    if (!Array.isArray(body)) return walk(body);
    const view = jsonPatchView(body);
    const v = view === null ? undefined : walk(view);
    return v !== undefined ? v : walk(body);
  };
}

/**
 * A getter for a field path that runs through a request body, for any subject (an audit Event, an
 * event's attrs): `body` reads the body, `whole` the whole path, `below` the rest of the path from
 * the body. Where the subject has a body, the rest is read as `bodyPathGetter` reads it; else the
 * whole path is walked (a flattened `"requestObject.spec"` key).
 */
export function requestObjectGetter<T>(body: (s: T) => unknown, whole: (s: T) => unknown, below: (body: unknown) => unknown): (s: T) => unknown {
  const rest = bodyPathGetter(below);
  return (s) => {
    const b = body(s);
    return b === undefined ? whole(s) : rest(b);
  };
}
