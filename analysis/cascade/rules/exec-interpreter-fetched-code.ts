/**
 * Code that interpreter code downloads and runs in one expression (MITRE T1105 then T1059.006 /
 * T1059.007 / T1059): `exec(urlopen(u).read())`, `exec(requests.get(u).text)`,
 * `eval(compile(requests.get(u).text, 'x', 'exec'))`, Perl `eval get($u)` (LWP::Simple), Ruby
 * `eval(Net::HTTP.get(URI(u)))` — the fileless form of `curl URL | python3 -`. A code call
 * (exec-interpreter-calls.ts: `exec`, `eval`, `Function`…) whose code is known only at run time
 * counts as fetched when its arguments hold a call that the transfer reader
 * (exec-interpreter-transfer.ts) read as a download to memory: `curl URL` with no output file and
 * nothing sent. The reading then names that tool as one whose output runs as a script, as
 * `curl … | sh` does (`fedToShell`, exec-pipelines.ts), so the same rule (MLS-RAY-012) sees both.
 *
 * A name the code assigns once (exec-interpreter-bindings.ts) carries what it was assigned into a
 * code call: `r = requests.get(u); exec(r.text)`, `const r = await fetch(u); eval(await r.text())`,
 * Perl `my $c = get($u); eval $c` read as the one-expression forms do (`throughNames`). So do
 * callbacks: a code call inside a download call's own arguments (Node's
 * `https.get(u, res => { …; res.on("end", () => eval(d)) })`: the callback gets the response), and
 * a JavaScript promise step that runs code (`.then(eval)`, `.then(t => eval(t))`) over the chain
 * before it (`fetch(u).then(r => r.text())`: `thenSteps`).
 */
import { MEMBER } from './exec-interpreter-bindings.js';
import { TK_NAME, TK_NL, TK_OP, TK_VAR, type Token } from './exec-interpreter-token.js';

/** Fetch tools named per code text at most. */
const MAX_TOOLS = 8;
/** Code calls and fetches remembered per code text. */
const MAX_MARKS = 64;

/** curl / wget words that send data or write a file: such a transfer hands the code no text to run. */
const NOT_TO_MEMORY = new Set(['-o', '-O', '-T', '-d', '-F', '--output', '--upload-file', '--data', '--data-binary', '--data-raw', '--data-urlencode', '--form', '--post-data', '--post-file', '--remote-name']);

/** The tool of a transfer run that downloads into the code's memory (`curl URL`), else null. */
export function memoryFetchTool(argv: readonly string[]): string | null {
  const tool = argv[0];
  if (tool !== 'curl' && tool !== 'wget') return null;
  for (let k = 1; k < argv.length; k++) {
    const w = argv[k]!;
    if (w.startsWith('#')) break; // the reading's note (`#requests.get`)
    if (NOT_TO_MEMORY.has(w) || w.startsWith('--data') || w.startsWith('--output') || w.startsWith('--post')) return null;
  }
  return tool;
}

/**
 * Where a call written without parentheses ends (`eval get("u"); …`): the next `;` outside
 * brackets, or the end of the tokens.
 */
export function statementEnd(tokens: readonly Token[], match: Int32Array, from: number): number {
  for (let i = from + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.k !== TK_OP) continue;
    if (t.v === ';') return i;
    if ((t.v === '(' || t.v === '[' || t.v === '{') && match[i]! > i) i = match[i]!;
  }
  return tokens.length;
}

/** Code calls of runtime code and downloads to memory, by token position; which downloads run as code. */
export class FetchedCode {
  /** [from, to) token ranges of code calls' arguments, flat. */
  private readonly ranges: number[] = [];
  /** Token positions of downloads to memory (their call's `(`), where their arguments end, and their tools. */
  private readonly fetches: Array<[position: number, close: number, tool: string]> = [];
  /** Promise steps, flat: the chain's first token, the `.` before `then`, its `(`, its `)`, 1 for `.then(eval)`. */
  private readonly thens: number[] = [];

  /** Whether no more code calls are kept (callers skip finding their ranges). */
  get full(): boolean {
    return this.ranges.length >= 2 * MAX_MARKS;
  }

  /** Whether there are downloads to memory and code calls or promise steps (else no download runs as code). */
  get both(): boolean {
    return this.fetches.length > 0 && (this.ranges.length > 0 || this.thens.length > 0);
  }

  /** A code call whose code is known only at run time, its arguments within tokens (from, to). */
  codeCall(from: number, to: number): void {
    if (from >= -1 && to > from && !this.full) this.ranges.push(from, to);
  }

  /** A transfer the reader found at token `position` (its call's `(`, closed at `close`). */
  transfer(position: number, close: number, argv: readonly string[]): void {
    const tool = memoryFetchTool(argv);
    if (tool !== null && position >= 0 && this.fetches.length < MAX_MARKS) this.fetches.push([position, close, tool]);
  }

  /** A JavaScript `.then(` at the `.` token `dot`, its arguments in (open, close) (see thenSteps); true for `.then(eval)`. */
  then(tokens: readonly Token[], match: Int32Array, dot: number, open: number, close: number): boolean {
    const lone = close === open + 2 && tokens[open + 1]!.k === TK_NAME && tokens[open + 1]!.v === 'eval';
    if (this.thens.length < 5 * MAX_MARKS) this.thens.push(chainStart(tokens, match, dot), dot, open, close, lone ? 1 : 0);
    return lone;
  }

  /**
   * A promise step that runs code hands it what the chain before it resolves to: its code calls
   * read that chain as their argument (a range over it). To a fixed point, since a step's chain
   * may hold an earlier step that runs code (each step once; at most MAX_MARKS of them are kept).
   */
  thenSteps(): void {
    const done = new Uint8Array(this.thens.length / 5);
    for (let changed = true; changed && !this.full;) {
      changed = false;
      for (let g = 0; g < done.length && !this.full; g++) {
        const at = 5 * g;
        if (done[g] || (this.thens[at + 4] === 0 && !this.rangeWithin(this.thens[at + 2]!, this.thens[at + 3]!))) continue;
        done[g] = 1;
        changed = true;
        this.codeCall(this.thens[at]! - 1, this.thens[at + 1]!);
      }
    }
  }

  /** Whether a code call starts within tokens (open, close) (one without parentheses ends at its statement's end, maybe past `close`). */
  private rangeWithin(open: number, close: number): boolean {
    for (let r = 0; r < this.ranges.length; r += 2) if (this.ranges[r]! > open && this.ranges[r]! < close) return true;
    return false;
  }

  /**
   * Widens the code calls' ranges by what their names were assigned, and what those names were
   * (a worklist over names, each once; bounded by MAX_MARKS ranges): `exec(r.text)` then holds
   * `requests.get(u)`. A member (`obj.r`) is no name.
   */
  throughNames(tokens: readonly Token[], bindingOf: (name: string) => readonly [number, number] | undefined): void {
    const seen = new Set<string>();
    for (let r = 0; r < this.ranges.length && !this.full; r += 2) {
      const to = Math.min(this.ranges[r + 1]!, tokens.length);
      for (let i = Math.max(0, this.ranges[r]!); i < to && !this.full; i++) {
        const t = tokens[i]!;
        if ((t.k !== TK_NAME && t.k !== TK_VAR) || seen.has(t.v)) continue;
        const prev = tokens[i - 1];
        if (prev !== undefined && prev.k === TK_OP && MEMBER.has(prev.v)) continue;
        const b = bindingOf(t.v);
        if (b === undefined) continue;
        seen.add(t.v);
        // Strictly inside: a download position is its call's `(`, after the range's first token.
        this.codeCall(b[0] - 1, b[1]);
      }
    }
  }

  /** The tools of the downloads that lie within a code call's arguments, each once. */
  tools(): string[] {
    const out: string[] = [];
    for (const [p, close, tool] of this.fetches) {
      if (out.includes(tool) || out.length >= MAX_TOOLS) continue;
      // The download within a code call's arguments, or a code call within the download's (a callback).
      if (this.rangeAround(p) || this.rangeWithin(p, close)) out.push(tool);
    }
    return out;
  }

  /** Whether token `p` lies inside a code call's range. */
  private rangeAround(p: number): boolean {
    for (let r = 0; r < this.ranges.length; r += 2) if (p > this.ranges[r]! && p < this.ranges[r + 1]!) return true;
    return false;
  }
}

/** Tokens that end the expression a `.then` chain starts after (scanning back from its `.`). */
const CHAIN_BOUNDARY = new Set([';', ',', '{', '(', '[', '=', '=>', ':', '?', '||', '&&', '??']);

/**
 * The first token of the expression before the `.` at `dot`: back over bracket groups to a
 * boundary (`;`, an opener, `=`, `=>`, a newline), so `const p = await fetch(u).then(…)` gives
 * `await`. Linear in what it passes.
 */
export function chainStart(tokens: readonly Token[], match: Int32Array, dot: number): number {
  let j = dot - 1;
  while (j >= 0) {
    const t = tokens[j]!;
    if (t.k === TK_NL) break;
    if (t.k === TK_OP) {
      if ((t.v === ')' || t.v === ']' || t.v === '}') && match[j]! >= 0 && match[j]! < j) {
        j = match[j]! - 1;
        continue;
      }
      if (CHAIN_BOUNDARY.has(t.v)) break;
    }
    j--;
  }
  return j + 1;
}
