/**
 * The path an expression of interpreter code spells, for the files the code writes
 * (exec-interpreter-file-writes.ts). Beside the values CodeValues knows (literals, concatenations,
 * names assigned once; HOLE where a part is known only at run time), it reads through:
 * - joins: Python `os.path.join(a, b)`, Node `path.join` / `path.resolve`, Ruby `File.join`;
 * - the home directory: `os.path.expanduser(p)` / Ruby `File.expand_path(p)` as p, Python
 *   `Path.home()`, Node `os.homedir()`, Ruby `Dir.home` as `~`;
 * - path objects: Python `Path(a, b)` (pathlib's classes), `p / 'x'`, `p.joinpath(x)`,
 *   `p.expanduser()` / `resolve()` / `absolute()`; Ruby `Pathname(p)` / `Pathname.new(p)`;
 * - the directory the code changed to (`os.chdir(d)`, Perl / PHP `chdir`, Ruby `Dir.chdir`, Node
 *   `process.chdir`): a relative path written after it is placed there (`placed`). The change is
 *   read in text order, a block's scope (`Dir.chdir(d) { … }`) included.
 * One walk reads both what an expression spells and whether it makes a path object (`read`).
 * Bounded: MAX_DEPTH nested reads and MAX_PATH_STEPS steps per path; never throws past its caller's guard.
 */
import { MEMBER } from './exec-interpreter-bindings.js';
import { HOLE, isNameOrVar, isOp, TK_NAME, TK_NL, TK_OP, type Lang, type Token } from './exec-interpreter-token.js';
import { V_STR, type ArgRange, type CodeValues } from './exec-interpreter-value.js';

/** Joins, calls and names read through, one inside another, at most. */
const MAX_DEPTH = 6;
/**
 * Steps (`read` calls) one path may take: a join's parts and names assigned once
 * fan out (`a = b / b / b`, `b = a / a / a`), so depth alone would bound them only exponentially.
 */
export const MAX_PATH_STEPS = 512;

/** Joins of path parts. */
const JOINS = new Set(['os.path.join', 'posixpath.join', 'path.join', 'path.resolve', 'File.join', 'path.posix.join']);
/** Calls whose value is their first argument's path, the home directory read as `~`. */
const EXPANDS = new Set(['os.path.expanduser', 'os.path.expandvars', 'posixpath.expanduser', 'File.expand_path', 'File.absolute_path']);
/** Calls that give the home directory. */
const HOMES = new Set(['pathlib.Path.home', 'Path.home', 'os.homedir', 'Dir.home']);
/** Path object classes (Python's pathlib, Ruby's Pathname), by dotted name (Python's through its imports). */
const PATH_CLASSES: ReadonlySet<string> = new Set([
  'Path', 'pathlib.Path', 'PosixPath', 'pathlib.PosixPath', 'PurePath', 'pathlib.PurePath', 'PurePosixPath', 'pathlib.PurePosixPath', 'Pathname', 'Pathname.new',
]);
/** Path object methods whose value is the receiver's path (`joinpath` joins its arguments to it). */
const SAME_PATH = new Set(['expanduser', 'resolve', 'absolute', 'joinpath', 'expand_path']);
/** Calls that change the working directory, per language. */
const CHDIR: Partial<Record<Lang, string>> = { python: 'os.chdir', perl: 'chdir', ruby: 'Dir.chdir', php: 'chdir', js: 'process.chdir', lua: 'lfs.chdir' };

/** What an expression spells as a path, and whether it makes a path object (`PathValues.read`). */
export interface PathRead {
  readonly path: string | null;
  readonly object: boolean;
}
const NONE: PathRead = { path: null, object: false };

const isDot = (t: Token | undefined): boolean => t !== undefined && t.k === TK_OP && MEMBER.has(t.v);

/** `parts` joined as a path: an absolute part starts over; HOLE stands for an unknown one. */
function joined(parts: ReadonlyArray<string | null>): string | null {
  let path = '';
  for (const p of parts) {
    const s = p ?? HOLE;
    path = s.startsWith('/') || path === '' ? s : `${path.replace(/\/+$/, '')}/${s}`;
  }
  return path === HOLE || path === '' ? null : path;
}

export class PathValues {
  /** The directory the code changed to so far, or null where it did not (or changed to one not known). */
  private cwd: string | null = null;
  private readonly chdir: string | undefined;
  /** Steps taken for the path being read (see MAX_PATH_STEPS). */
  private steps = 0;

  constructor(
    private readonly ts: readonly Token[],
    private readonly match: Int32Array,
    private readonly lang: Lang,
    private readonly values: CodeValues,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {
    this.chdir = CHDIR[lang];
  }

  /** Whether `name` (a call's dotted name, Python's resolved here through its imports) changes the working directory; if so, reads where to from `args`. */
  changesDir(name: string, args: readonly ArgRange[]): boolean {
    if ((this.lang === 'python' ? this.resolved(name) : name) !== this.chdir) return false;
    const to = this.of(args.find((a) => a.name === null) ?? args[0]);
    this.cwd = to === null ? null : this.placed(to);
    return true;
  }

  /** `path` placed against the directory the code changed to, when it is relative. */
  placed(path: string): string {
    if (this.cwd === null || /^[/~$]/.test(path)) return path;
    return joined([this.cwd, path.replace(/^(\.\/)+/, '')]) ?? path;
  }

  /** The path argument `r` spells, or null when none of it is known. */
  of(r: ArgRange | undefined): string | null {
    return r === undefined ? null : this.read(r.a, r.b).path;
  }

  /**
   * What [a, b) spells as a path (`path`, null when none of it is known), and whether it makes a
   * path object (`object`): a path class's call or `Path.home()`, a `/` join with one, a path method
   * of one (`.expanduser()`), in parentheses or through a name assigned once.
   */
  read(a: number, b: number, depth = 0): PathRead {
    if (depth === 0) this.steps = 0;
    while (a < b && this.ts[a]!.k === TK_NL) a++;
    while (b > a && this.ts[b - 1]!.k === TK_NL) b--;
    if (a >= b || depth > MAX_DEPTH || ++this.steps > MAX_PATH_STEPS) return NONE;
    // `(expr)`: the expression.
    if (isOp(this.ts[a], '(') && this.match[a] === b - 1) return this.read(a + 1, b - 1, depth + 1);
    if (this.lang === 'python') {
      const parts = this.slashParts(a, b);
      // `/` joins only where a path object takes part (`Path.home() / '.ssh'`); elsewhere it divides.
      if (parts.length > 1) {
        const reads = parts.map(([x, y]) => this.read(x, y, depth + 1));
        return reads.some((r) => r.object) ? { path: joined(reads.map((r) => r.path)), object: true } : NONE;
      }
    }
    const call = this.wholeCall(a, b);
    if (call !== null) {
      const paths = (): Array<string | null> => this.values.argRanges(call.open + 1, b - 1).map((p) => this.read(p.a, p.b, depth + 1).path);
      if (HOMES.has(call.name)) return { path: '~', object: true };
      if (PATH_CLASSES.has(call.name)) return { path: joined(paths()), object: true };
      if (JOINS.has(call.name)) return { path: joined(paths()), object: false };
      if (EXPANDS.has(call.name)) return { path: paths()[0] ?? null, object: false };
    }
    // `recv.expanduser()`, `recv.joinpath(x)`: the receiver's path (joined with the arguments).
    if (isOp(this.ts[b - 1], ')')) {
      const open = this.match[b - 1]!;
      const method = this.ts[open - 1];
      if (open > a + 1 && method?.k === TK_NAME && SAME_PATH.has(method.v) && isDot(this.ts[open - 2])) {
        const recv = this.read(a, open - 2, depth + 1);
        if (method.v !== 'joinpath') return recv;
        const more = this.values.argRanges(open + 1, b - 1).map((p) => this.read(p.a, p.b, depth + 1).path);
        return { path: joined([recv.path, ...more]), object: recv.object };
      }
    }
    // `Dir.home`, Ruby's call without parentheses (a String).
    if (this.lang === 'ruby' && b === a + 3 && isNameOrVar(this.ts[a + 2]) && HOMES.has(this.dottedEndingAt(a + 2))) return { path: '~', object: false };
    // A name assigned once: what it was assigned (a join is no value CodeValues knows).
    const bound = a + 1 === b && isNameOrVar(this.ts[a]) ? this.values.bindingOf(this.ts[a]!.v) : undefined;
    if (bound !== undefined) return this.read(bound[0], bound[1], depth + 1);
    const v = this.values.value(a, b);
    return { path: v.k === V_STR && v.s !== HOLE ? v.s : null, object: false };
  }

  /** The first token of the member chain whose last part ends at `k` (`Path(p).expanduser()`, `(a / b)`, `self.p`), or -1. */
  chainStart(k: number, floor = 0): number {
    for (let guard = 0; k >= floor && guard < 64; guard++) {
      const t = this.ts[k]!;
      if (isOp(t, ')') || isOp(t, ']')) {
        const open = this.match[k]!;
        if (open < floor || open >= k) return -1;
        k = isNameOrVar(this.ts[open - 1]) ? open - 1 : open;
      } else if (!isNameOrVar(t)) return -1;
      if (!isDot(this.ts[k - 1]) || k - 2 < floor) return k;
      k -= 2;
    }
    return -1;
  }

  /** The name a callee ends with at `i`, its qualifiers joined by `.` (`File::Copy::copy` → `File.Copy.copy`); after a call's `)` only the name itself. */
  dottedEndingAt(i: number): string {
    const ts = this.ts;
    let name = ts[i]!.v;
    let j = i;
    while (isDot(ts[j - 1]) && isNameOrVar(ts[j - 2])) {
      name = `${ts[j - 2]!.v}.${name}`;
      j -= 2;
    }
    return name.replace(/::/g, '.').replace(/^\$/, '');
  }

  /** A Python dotted name through the code's imports (`from os import path as p`: `p.join` → `os.path.join`). */
  resolved(name: string): string {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const alias = this.aliases.get(head);
    return alias === undefined ? name : alias + name.slice(head.length);
  }

  /** When [a, b) is one call `name(…)` and nothing else: its dotted name and its `(`; else null. */
  private wholeCall(a: number, b: number): { name: string; open: number } | null {
    let j = a;
    while (j + 2 < b && isNameOrVar(this.ts[j]) && isDot(this.ts[j + 1])) j += 2;
    if (j + 1 >= b || !isNameOrVar(this.ts[j]) || !isOp(this.ts[j + 1], '(') || Math.min(this.match[j + 1]!, this.ts.length) + 1 < b) return null;
    const name = this.dottedEndingAt(j);
    return { name: this.lang === 'python' ? this.resolved(name) : name, open: j + 1 };
  }

  /** Python's `/` between path parts at the top level of [a, b) (brackets stepped over): the parts' ranges. */
  private slashParts(a: number, b: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let start = a;
    for (let k = a; k < b; k++) {
      const t = this.ts[k]!;
      if (t.k === TK_OP && (t.v === '(' || t.v === '[' || t.v === '{') && this.match[k]! > k) k = Math.min(this.match[k]!, b);
      else if (isOp(t, '/')) {
        out.push([start, k]);
        start = k + 1;
      }
    }
    out.push([start, b]);
    return out;
  }
}
