/**
 * awk's command pipes (XCU awk "Output Statements" and "Input/Output and General Functions";
 * GTFOBins awk), read at a `|` (or gawk's coprocess `|&`) in the program's tokens:
 * - `expression | getline [var]`: the expression's value is a command line a shell runs, and
 *   awk reads its output (`"id" | getline x`, `while (("curl -s " u) | getline l) …`);
 * - `print … | expression`, `printf … | expression`: the expression's value is a command line a
 *   shell runs, fed what is printed. When that command is a shell reading its stdin (`"sh"`,
 *   `"/bin/bash -s"`), the printed text is the script it runs (`print "curl -T …" | "sh"`), so
 *   that text is the run, with how it came about.
 * gawk's network special files (`"/inet/tcp/0/host/port"`) are connections, not commands: their
 * pipes run nothing, though a command line read from one and run is known only at run time.
 * `system(…)` is an ordinary call (exec-interpreter-table.ts). Values are read by the shared value
 * reader (exec-interpreter-value.ts: adjacent terms concatenate, `$1` and unset names are known
 * only at run time).
 */
import { isStdinShell } from './exec-interpreter-shells.js';
import { HOLE, TK_NAME, TK_NL, TK_NUM, TK_OP, TK_STR, TK_VAR, type Token } from './exec-interpreter-token.js';
import { strVal, UNKNOWN, V_STR, type CodeValues, type Val } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

/** Where the runs an awk pipe makes go (exec-interpreter-calls.ts's reader). */
export interface RunSink {
  line(v: Val | undefined, extra?: number): void;
}

/** Names that end the operand before a `| getline` (a statement's keyword, not a term). */
const KEYWORDS = new Set(['print', 'printf', 'if', 'while', 'for', 'do', 'else', 'return', 'getline', 'in', 'delete', 'exit', 'next', 'BEGIN', 'END', 'function']);
/** Tokens that end a statement. */
const isEnd = (t: Token): boolean => t.k === TK_NL || (t.k === TK_OP && (t.v === ';' || t.v === '{' || t.v === '}'));
const isTerm = (t: Token): boolean => t.k === TK_STR || t.k === TK_NUM || t.k === TK_VAR || (t.k === TK_NAME && !KEYWORDS.has(t.v));

/** The pipe at `i` (`|` or `|&`) of awk tokens `ts`: its command (and what a shell reads) given to `sink`. */
export function awkPipeAt(ts: readonly Token[], match: Int32Array, i: number, values: CodeValues, sink: RunSink): void {
  const next = ts[i + 1];
  if (next !== undefined && next.k === TK_NAME && next.v === 'getline') {
    const from = operandStart(ts, match, i);
    const cmd = from < i ? values.value(from, i) : null;
    if (cmd !== null && !isNetworkFile(cmd)) sink.line(cmd);
    return;
  }
  const start = statementStart(ts, match, i);
  const word = ts[start];
  if (word === undefined || word.k !== TK_NAME || (word.v !== 'print' && word.v !== 'printf')) return;
  const end = statementEnd(ts, match, i + 1);
  const cmd = values.value(i + 1, end);
  if (isNetworkFile(cmd)) return;
  if (cmd.k === V_STR && !cmd.bin && isStdinShell(cmd.s)) sink.line(printed(ts, match, values, start + 1, i, word.v === 'printf'), cmd.how);
  else sink.line(cmd);
}

/** gawk's `/inet/tcp/lport/host/rport` (also `/inet4/`, `/inet6/`, udp) is a network connection, not a command (gawk manual "TCP/IP Networking"). */
const isNetworkFile = (v: Val): boolean => v.k === V_STR && v.s.startsWith('/inet');

/** The first token of the operand that ends before `i`: adjacent terms and bracket groups, back to an operator or a keyword. */
function operandStart(ts: readonly Token[], match: Int32Array, i: number): number {
  let k = i - 1;
  for (let n = 0; k >= 0 && n < ts.length; n++) {
    const t = ts[k]!;
    if (t.k === TK_OP && t.v === ')') {
      const open = match[k]!;
      if (open < 0 || open >= k) break;
      k = open - 1;
    } else if (isTerm(t)) k--;
    else break;
  }
  return k + 1;
}

/** The first token of the statement holding `i`: after a `;`, a brace, a newline or an opening bracket that encloses `i`. */
function statementStart(ts: readonly Token[], match: Int32Array, i: number): number {
  let k = i - 1;
  while (k >= 0) {
    const t = ts[k]!;
    if (isEnd(t) || (t.k === TK_OP && (t.v === '(' || t.v === '['))) break;
    if (t.k === TK_OP && (t.v === ')' || t.v === ']')) {
      const open = match[k]!;
      if (open < 0 || open >= k) break;
      k = open;
    }
    k--;
  }
  return k + 1;
}

/** The index that ends the expression starting at `k`: a statement's end or a closer that encloses it. */
function statementEnd(ts: readonly Token[], match: Int32Array, k: number): number {
  let j = k;
  for (; j < ts.length; j++) {
    const t = ts[j]!;
    if (isEnd(t) || (t.k === TK_OP && (t.v === ')' || t.v === ']' || t.v === '>' || t.v === '>>' || t.v === '|'))) break;
    if (t.k === TK_OP && (t.v === '(' || t.v === '[')) j = Math.max(j, match[j]!);
  }
  return Math.min(j, ts.length);
}

/**
 * What a `print` (items joined by a space, the default OFS) or `printf` (its format, each
 * conversion known only at run time) in [a, b) writes; `print` alone writes `$0`, run-time input.
 */
function printed(ts: readonly Token[], match: Int32Array, values: CodeValues, a: number, b: number, printf: boolean): Val {
  // `print("a", "b")`: one bracket group is the list itself.
  if (a < b && ts[a]!.k === TK_OP && ts[a]!.v === '(' && match[a] === b - 1) {
    a++;
    b--;
  }
  const items = values.split(a, b).map(([x, y]) => values.value(x, y));
  if (items.length === 0) return UNKNOWN;
  if (printf) {
    const f = items[0]!;
    if (f.k !== V_STR || f.bin) return UNKNOWN;
    // Each conversion takes the next item: a known string as it is (`%s`), anything else a hole.
    let how = f.how;
    let n = 1;
    const text = f.s.replace(/%%|%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]/g, (m) => {
      if (m === '%%') return '%';
      const it = items[n++];
      if (it !== undefined && it.k === V_STR && !it.bin && m.endsWith('s')) {
        how |= it.how;
        return it.s;
      }
      how |= INDIRECT_RUNTIME;
      return HOLE;
    });
    return strVal(text, how);
  }
  let s = '';
  let how = 0;
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (it.k !== V_STR || it.bin) return UNKNOWN;
    s += (k > 0 ? ' ' : '') + it.s;
    how |= it.how;
  }
  return strVal(s, how);
}
