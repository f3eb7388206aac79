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
 * What flows through a variable (`r = requests.get(u); exec(r.text)`) or a callback
 * (`fetch(u).then(r => r.text()).then(eval)`) is not followed: those stay `runtime` only.
 */
import { TK_OP, type Token } from './exec-interpreter-token.js';

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
  /** Token positions of downloads to memory and their tools. */
  private readonly fetches: Array<[position: number, tool: string]> = [];

  /** Whether no more code calls are kept (callers skip finding their ranges). */
  get full(): boolean {
    return this.ranges.length >= 2 * MAX_MARKS;
  }

  /** A code call whose code is known only at run time, its arguments within tokens (from, to). */
  codeCall(from: number, to: number): void {
    if (from >= 0 && to > from && !this.full) this.ranges.push(from, to);
  }

  /** A transfer the reader found at token `position`. */
  transfer(position: number, argv: readonly string[]): void {
    const tool = memoryFetchTool(argv);
    if (tool !== null && position >= 0 && this.fetches.length < MAX_MARKS) this.fetches.push([position, tool]);
  }

  /** The tools of the downloads that lie within a code call's arguments, each once. */
  tools(): string[] {
    const out: string[] = [];
    for (const [p, tool] of this.fetches) {
      if (out.includes(tool) || out.length >= MAX_TOOLS) continue;
      for (let r = 0; r < this.ranges.length; r += 2) {
        if (p > this.ranges[r]! && p < this.ranges[r + 1]!) {
          out.push(tool);
          break;
        }
      }
    }
    return out;
  }
}
