/**
 * Perl's library transfers read as the command runs that move the same data
 * (exec-interpreter-transfer.ts says why):
 * - LWP::UserAgent (`LWP::UserAgent->new->put($u, Content => $data)`, `post`, `patch`,
 *   `request($req)`; `get($u, ':content_file' => $p)` and `mirror($u, $p)` are downloads);
 * - HTTP::Tiny (`HTTP::Tiny->new->put($u, {content => $data})`, `post`, `patch`,
 *   `request('PUT', $u, {content => …})`, `mirror($u, $p)`, `get($u)`);
 * - HTTP::Request::Common requests (`PUT $u, Content => …`, `POST(…)`, a name assigned one) and
 *   `HTTP::Request->new(PUT => $u, $headers, $content)`, read where a user agent's `request` sends them.
 * A body read from a file is that file's upload (`curl -X PUT -T p URL`): File::Slurp's
 * `read_file($p)`, File::Slurper's `read_binary($p)`, Path::Tiny / Mojo::File `path($p)->slurp_raw`
 * (`slurp`, `slurp_utf8`), and the slurp idiom `do { local $/; open my $f, '<', $p; <$f> }` (its
 * path where `open` spells it, else HOLE); a form upload (`Content_Type => 'form-data', Content =>
 * [f => [$p]]`) is `-F f=@p`; other data is `--data-raw`. The receiver must be made by one of these
 * classes (`$client->put(…)` on anything else is nothing). Also:
 * - LWP::Simple's functions: `getstore($u, $p)` / `mirror($u, $p)` → `curl -o p u`, `get($u)` /
 *   `getprint($u)` → `curl u` (downloads), read where the code names LWP::Simple (`perl
 *   -MLWP::Simple -e …` too: the switch's `use` is read before the code, exec-interpreter-options.ts),
 *   calls them by their full names, or hands them a URL literal;
 * - Mojo::UserAgent (Mojo::UserAgent::Transactor): `put($u => {headers} => $content)`, `post($u
 *   => form => {f => {file => $p}})` (`-F f=@p`), `post($u => json => {…})`, their `_p` forms;
 *   `get($u)->result->save_to($p)` (`res`; `->result->content->asset->move_to($p)`) → `curl -o p u`,
 *   also through the transaction's variable (`my $tx = $ua->get($u); $tx->result->save_to($p)`);
 * - WWW::Mechanize (an LWP::UserAgent): `submit_form(with_fields => {…})` (`fields` too) with a
 *   file field (a value `[$p, …]`, or a field named like `file` / `upload`) → `curl -X POST -F
 *   f=@p HOLE` (the form's action is known only when the page is); a form without one is not read.
 * Never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, S_ATTR, wordOf, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { isOp, TK_NAME, TK_OP, TK_STR, TK_VAR } from './exec-interpreter-token.js';
import { V_STR } from './exec-interpreter-value.js';

const DATA = new Set(['put', 'post', 'patch']);
const AGENTS = new Set(['LWP::UserAgent', 'HTTP::Tiny', 'WWW::Mechanize', 'Mojo::UserAgent']);
/** LWP::Simple's functions that fetch, by name (and full name): whether the second argument is a file the body is saved to. */
const SIMPLE = new Map([['get', false], ['getprint', false], ['getstore', true], ['mirror', true]]);
const COMMON = new Set(['PUT', 'POST', 'PATCH', 'GET']);
const SLURPS = new Set(['read_file', 'read_binary', 'slurp', 'File::Slurp::read_file', 'File::Slurper::read_binary']);
const PATH_READS = new Set(['slurp', 'slurp_raw', 'slurp_utf8']);
/** The steps of a Mojo::UserAgent `get(…)` that saves its body (`mojoSaveTo`). */
const MOJO_RESULT = new Set(['result', 'res']);
const MOJO_SAVE = new Set(['save_to', 'content']);
const MOJO_ASSET = new Set(['asset']);
const MOJO_MOVE = new Set(['move_to']);
/** Tokens a `do { … }` block is searched for its `open`. */
const MAX_BLOCK = 256;

type Range = [number, number];

export class PerlTransfers {
  /** Whether the code names LWP::Simple (found on first need). */
  private simpleUsed: boolean | undefined;

  constructor(private readonly ctx: TransferContext) {}

  read(c: Chain, call: Step): Transfer | null {
    const s = c.steps;
    const last = s[s.length - 1]!;
    if (last.k !== S_ATTR) return null;
    const fn = last.name;
    const pos = this.ctx.chains.values.split(call.a, call.b);
    const agent = s[0]!.name;
    if (s.length === 1) return this.simple(fn, pos);
    // `Class->new` or `Class->new(…)`, then the method.
    if (s[1]?.name !== 'new' || !AGENTS.has(agent) || s.length > (s[2]?.k === S_ATTR ? 3 : 4)) return null;
    const marker = `${agent}.${fn}`;
    const url = this.ctx.word(pos[0]);
    if (agent === 'Mojo::UserAgent') {
      const to = fn === 'get' ? (this.mojoSaveTo(call.b + 1) ?? this.mojoSavedVia(call)) : undefined;
      if (to !== undefined) return { words: [['curl', 0], ['-o', 0], to, url, [`#${marker}`, 0]] };
      return this.mojo(fn.endsWith('_p') ? fn.slice(0, -2) : fn, pos, marker);
    }
    if (fn === 'submit_form' && agent === 'WWW::Mechanize') return this.submitForm(pos, marker);
    if (fn === 'mirror' || (fn === 'get' && agent !== 'HTTP::Tiny')) {
      const to = fn === 'mirror' ? pos[1] : this.pairs(pos, 1).get(':content_file');
      return to === undefined ? { words: [['curl', 0], url, [`#${marker}`, 0]], fetch: true } : { words: [['curl', 0], ['-o', 0], this.ctx.word(to), url, [`#${marker}`, 0]] };
    }
    if (agent === 'HTTP::Tiny') {
      if (fn === 'get') return { words: [['curl', 0], url, [`#${marker}`, 0]], fetch: true };
      if (fn === 'post_form') return { words: [['curl', 0], ['-X', 0], ['POST', 0], ['--data-raw', 0], this.ctx.word(pos[1]), url, [`#${marker}`, 0]] };
      const req = fn === 'request';
      if (!req && !DATA.has(fn)) return null;
      const opts = this.hash(pos[req ? 2 : 1]);
      const method: Word = req ? this.ctx.word(pos[0]) : [fn.toUpperCase(), 0];
      return this.body([method[0].toUpperCase(), method[1]], this.ctx.word(pos[req ? 1 : 0]), opts.get('content'), null, marker);
    }
    if (DATA.has(fn)) return this.common(fn.toUpperCase(), pos, marker);
    if (fn === 'request' && pos[0] !== undefined) return this.request(pos, marker);
    return null;
  }

  /** LWP::Simple's `get($u)`, `getstore($u, $p)`… (see the header), or null for another function. */
  private simple(fn: string, pos: readonly Range[]): Transfer | null {
    const name = fn.startsWith('LWP::Simple::') ? fn.slice(13) : fn;
    const saves = SIMPLE.get(name);
    if (saves === undefined || pos[0] === undefined) return null;
    const ts = this.ctx.chains.ts;
    const lone = pos[0][1] === pos[0][0] + 1 ? ts[pos[0][0]]! : undefined;
    // Unqualified, without LWP::Simple named: only a URL literal says whose `get` it is.
    if (name === fn && !(lone?.k === TK_STR && /^(?:https?|ftp):\/\//i.test(lone.v)) && !(this.simpleUsed ??= ts.some((t) => t.k === TK_NAME && t.v === 'LWP::Simple'))) return null;
    const url = this.ctx.word(pos[0]);
    const marker: Word = [`#LWP::Simple.${name}`, 0];
    return saves ? { words: [['curl', 0], ['-o', 0], this.ctx.word(pos[1]), url, marker] } : { words: [['curl', 0], url, marker], fetch: true };
  }

  /** Mojo::UserAgent's `METHOD($u => {headers} => form => {…} | json => … | $content)` (Mojo::UserAgent::Transactor `tx`). */
  private mojo(fn: string, pos: readonly Range[], marker: string): Transfer | null {
    if (!DATA.has(fn) && fn !== 'get') return null;
    const { ts, match } = this.ctx.chains;
    let k = 1;
    const at = pos[k];
    if (at !== undefined && ts[at[0]]!.v === '{' && match[at[0]] === at[1] - 1) k++;
    const g = pos[k] === undefined || pos[k]![1] !== pos[k]![0] + 1 ? undefined : ts[pos[k]![0]]!;
    const gen = g !== undefined && (g.k === TK_NAME || g.k === TK_STR) ? g.v : '';
    const method: Word = [fn.toUpperCase(), 0];
    const url = this.ctx.word(pos[0]);
    if (gen === 'form' && pos.length === k + 2) {
      for (const [key, r] of this.hash(pos[k + 1])) {
        const file = this.hash(r).get('file');
        if (file !== undefined) return this.formRun(method, url, key, this.ctx.word(file), marker);
      }
      return this.body(method, url, pos[k + 1], null, marker);
    }
    return this.body(method, url, pos[gen === 'json' && pos.length === k + 2 ? k + 1 : k], null, marker);
  }

  /**
   * Where a Mojo::UserAgent `get(…)` saves its body, read on from the token `from` after the call
   * (or after a variable holding its transaction): `->result->save_to($p)` (Mojo::Message
   * `save_to`; `res` for `result`) or `->result->content->asset->move_to($p)` (Mojo::Asset
   * `move_to`), empty `()` after a name allowed. The saving call is read here, not again.
   * Undefined when the chain goes elsewhere.
   */
  private mojoSaveTo(from: number): Word | undefined {
    const { ts, match, values } = this.ctx.chains;
    let j = from;
    const step = (names: ReadonlySet<string>): string | undefined => {
      const name = ts[j + 1];
      if (!(ts[j]?.k === TK_OP && ts[j]!.v === '->' && name?.k === TK_NAME && names.has(name.v))) return undefined;
      j += 2;
      return name.v;
    };
    const empty = (): void => {
      if (ts[j]?.k === TK_OP && ts[j]!.v === '(' && match[j] === j + 1) j += 2;
    };
    if (step(MOJO_RESULT) === undefined) return undefined;
    empty();
    const last = step(MOJO_SAVE);
    if (last === 'content') {
      empty();
      if (step(MOJO_ASSET) === undefined) return undefined;
      empty();
      if (step(MOJO_MOVE) === undefined) return undefined;
    } else if (last === undefined) return undefined;
    const paren = ts[j];
    if (paren?.k !== TK_OP || paren.v !== '(' || match[j]! <= j) return undefined;
    this.ctx.consume(j);
    return this.ctx.word(values.split(j + 1, Math.min(match[j]!, ts.length))[0]);
  }

  /**
   * A Mojo::UserAgent `get(…)` that is the one value the code assigns a variable (`my $tx =
   * $ua->get($u)`, exec-interpreter-bindings.ts): where the code saves its body through that
   * variable (`$tx->result->save_to($p)`, `$tx->res->…`), the first such save, else undefined.
   */
  private mojoSavedVia(call: Step): Word | undefined {
    const { ts, values } = this.ctx.chains;
    const start = this.ctx.chains.calleeStart(call.a - 1);
    const target = ts[start - 2];
    if (start < 2 || !isOp(ts[start - 1], '=') || target?.k !== TK_VAR) return undefined;
    const r = values.bindingOf(target.v);
    if (r === undefined || r[0] !== start || r[1] !== call.b + 1) return undefined;
    for (let i = call.b + 1; i < ts.length; i++) {
      const t = ts[i]!;
      const to = t.k === TK_VAR && t.v === target.v ? this.mojoSaveTo(i + 1) : undefined;
      if (to !== undefined) return to;
    }
    return undefined;
  }

  /** WWW::Mechanize's `submit_form(with_fields => {f => [$p]} …)`: a file field's upload to the form's action (HOLE). */
  private submitForm(pos: readonly Range[], marker: string): Transfer | null {
    const opts = this.pairs(pos, 0);
    const fields = this.hash(opts.get('with_fields') ?? opts.get('fields'));
    const { ts, values } = this.ctx.chains;
    for (const [key, r] of fields) {
      const list = ts[r[0]]!.v === '[' ? values.split(r[0] + 1, r[1] - 1)[0] : /file|upload|attach/i.test(key) ? r : undefined;
      if (list !== undefined) return this.formRun(['POST', 0], wordOf(undefined), key, this.ctx.word(list), marker);
    }
    // No file field: the fields' data goes to a URL the page names; nothing the code spells moves.
    return null;
  }

  private formRun(method: Word, url: Word, key: string, file: Word, marker: string): Transfer {
    return { words: [['curl', 0], ['-X', 0], method, ['-F', 0], [`${key}=@${file[0]}`, file[1]], url, [`#${marker}`, 0]] };
  }

  /** `key => value` pairs from item `from` on (keys spelled as names or strings). */
  private pairs(items: readonly Range[], from: number): Map<string, Range> {
    const m = new Map<string, Range>();
    const ts = this.ctx.chains.ts;
    for (let k = from; k + 1 < items.length; k += 2) {
      const key = ts[items[k]![0]]!;
      if (key.k === TK_NAME || key.k === TK_STR) m.set(key.v, items[k + 1]!);
    }
    return m;
  }

  /** A `{…}` hash (or `[…]` list) literal's pairs, through a variable assigned once. */
  private hash(range: Range | undefined, depth = 0): Map<string, Range> {
    const r = this.resolve(range, depth);
    if (r === undefined) return new Map();
    const { ts, match, values } = this.ctx.chains;
    const open = ts[r[0]]!;
    if (open.k !== TK_OP || (open.v !== '{' && open.v !== '[') || match[r[0]] !== r[1] - 1) return new Map();
    return this.pairs(values.split(r[0] + 1, r[1] - 1), 0);
  }

  /** A lone variable's one assigned expression (to a depth of 4), else the range itself. */
  private resolve(range: Range | undefined, depth = 0): Range | undefined {
    let r = range;
    const ts = this.ctx.chains.ts;
    for (let d = depth; r !== undefined && d < 4 && r[1] === r[0] + 1 && ts[r[0]]!.k === TK_VAR; d++) {
      const b = this.ctx.chains.values.bindingOf(ts[r[0]]!.v);
      if (b === undefined) break;
      r = [b[0], b[1]];
    }
    return r;
  }

  /** HTTP::Request::Common's `METHOD $url, Header => …, Content => …` (also a user agent's `put($url, …)`). */
  private common(method: string, items: readonly Range[], marker: string): Transfer {
    const p = this.pairs(items, 1);
    const type = p.get('Content_Type') ?? p.get('Content-Type');
    const form = type !== undefined && /form-data/i.test(this.ctx.word(type)[0]);
    return this.body([method, 0], this.ctx.word(items[0]), p.get('Content'), form ? p.get('Content') ?? null : null, marker);
  }

  /** `$ua->request(REQ)`: REQ an HTTP::Request::Common call (`PUT $u, …`, `POST(…)`, a variable assigned one) or `HTTP::Request->new(METHOD => $u, $h, $content)`. */
  private request(pos: readonly Range[], marker: string): Transfer | null {
    const { ts, match, values } = this.ctx.chains;
    let items = pos;
    const r = this.resolve(pos[0]);
    if (r === undefined) return null;
    if (r !== pos[0]) items = values.split(r[0], this.statementEnd(r[0]));
    const t = ts[r[0]]!;
    const base = t.k === TK_NAME ? t.v.slice(t.v.lastIndexOf(':') + 1) : '';
    if (COMMON.has(base)) {
      const paren = ts[r[0] + 1]?.k === TK_OP && ts[r[0] + 1]!.v === '(';
      if (paren) return this.common(base, values.split(r[0] + 2, Math.min(match[r[0] + 1]!, ts.length)), marker);
      return this.common(base, [[r[0] + 1, items[0]![1]], ...items.slice(1)], marker);
    }
    const c = this.ctx.chains.chain(r[0], r[1]);
    const made = c === null ? null : callNamed(c, new Set(['new']));
    if (c === null || made === null || c.steps[0]!.name !== 'HTTP::Request') return null;
    const a = values.split(made.a, made.b);
    const m = a[0] !== undefined && a[0][1] === a[0][0] + 1 && ts[a[0][0]]!.k === TK_NAME ? ([ts[a[0][0]]!.v, 0] as Word) : this.ctx.word(a[0]);
    return this.body([m[0].toUpperCase(), m[1]], this.ctx.word(a[1]), a[3], null, marker);
  }

  /** The end of the Perl statement from `k`: a `;` or a closer at its depth, a statement modifier (`or die`). */
  private statementEnd(k: number): number {
    const { ts, match } = this.ctx.chains;
    for (let j = k; j < ts.length; j++) {
      const t = ts[j]!;
      if (t.k === TK_NAME && (t.v === 'or' || t.v === 'and' || t.v === 'if' || t.v === 'unless')) return j;
      if (t.k !== TK_OP) continue;
      if (t.v === ';' || t.v === ')' || t.v === ']' || t.v === '}' || t.v === '||' || t.v === '//') return j;
      if (t.v === '(' || t.v === '[' || t.v === '{') j = Math.max(j, match[j]!);
    }
    return ts.length;
  }

  /** The run of a request with `content`: a file read `-T`, a form's file `-F f=@p`, other data `--data-raw`. */
  private body(method: Word, url: Word, content: Range | undefined, form: Range | null, marker: string): Transfer {
    const words: Word[] = [['curl', 0], ['-X', 0], method];
    const tail: Word[] = [url, [`#${marker}`, 0]];
    if (form !== null) {
      const [key, list] = [...this.hash(form)][0] ?? [null, undefined];
      const first = list === undefined ? undefined : this.ctx.chains.values.split(list[0] + 1, list[1] - 1)[0];
      const p = first === undefined ? wordOf(undefined) : this.ctx.word(first);
      return { words: [...words, ['-F', 0], [`${key ?? 'file'}=@${p[0]}`, p[1]], ...tail] };
    }
    if (content === undefined) return method[0] === 'GET' ? { words: [['curl', 0], ...tail], fetch: true } : { words: [...words, ...tail] };
    const file = this.file(content);
    if (file !== null) return { words: [...words, ['-T', 0], file, ...tail] };
    const v = this.ctx.chains.values.value(content[0], content[1]);
    return { words: [...words, ['--data-raw', 0], v.k === V_STR && !v.bin ? [v.s, v.how] : wordOf(undefined), ...tail] };
  }

  /** The file an expression reads whole: `read_file($p)`, `path($p)->slurp_raw`, the `do { local $/; open …; <$f> }` idiom. */
  private file(range: Range, depth = 0): Word | null {
    const r = this.resolve(range);
    if (r === undefined || depth > 2) return null;
    const { ts, match, values } = this.ctx.chains;
    const t = ts[r[0]]!;
    if (t.k === TK_NAME && t.v === 'do' && ts[r[0] + 1]?.v === '{') return this.slurpBlock(r[0] + 1, Math.min(match[r[0] + 1]!, ts.length, r[0] + 1 + MAX_BLOCK));
    const c = this.ctx.chains.chain(r[0], r[1]);
    if (c === null) return null;
    const s = c.steps;
    if (s.length === 2 && SLURPS.has(s[0]!.name) && s[1]!.k !== S_ATTR) return this.ctx.word(values.split(s[1]!.a, s[1]!.b)[0]);
    if (s.length === 3 && (s[0]!.name === 'path' || s[0]!.name === 'Path::Tiny::path' || s[0]!.name === 'Mojo::File::path') && PATH_READS.has(s[2]!.name)) return this.ctx.word(values.split(s[1]!.a, s[1]!.b)[0]);
    return null;
  }

  /** A `do { … }` block that opens a file for reading: the path `open` names (HOLE where unknown), else null. */
  private slurpBlock(open: number, close: number): Word | null {
    const { ts, match, values } = this.ctx.chains;
    for (let i = open + 1; i < close; i++) {
      if (ts[i]!.k !== TK_NAME || ts[i]!.v !== 'open') continue;
      const paren = ts[i + 1]?.v === '(';
      const end = paren ? Math.min(match[i + 1]!, close) : Math.min(this.statementEnd(i + 1), close);
      const args = values.split(paren ? i + 2 : i + 1, end);
      if (args.length >= 3) {
        const mode = this.ctx.word(args[1]);
        return mode[1] === 0 && !/^\s*</.test(mode[0]) ? null : this.ctx.word(args[2]);
      }
      if (args.length < 2) return wordOf(undefined);
      // Two arguments: the mode leads the path (perlfunc "open"), none reads.
      const m = this.ctx.word(args[1]);
      if (/^\s*[>|+]/.test(m[0])) return null;
      return [m[0].replace(/^\s*<\s*/, ''), m[1]];
    }
    return null;
  }
}
