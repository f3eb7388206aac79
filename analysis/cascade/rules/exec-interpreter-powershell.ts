/**
 * The commands PowerShell text runs (MITRE T1059.001), read as its statements
 * (exec-interpreter-powershell-words.ts splits them and reads their words). Each statement that
 * names a command is a run of the text's own (`direct`, as a shell script's commands are):
 * `Invoke-WebRequest -InFile …`, `curl.exe -T …` (a `.exe` suffix and a path dropped from the
 * name), `& 'curl' …`, `cmd /c "…"` (read on as cmd's command line: exec-cmd.ts),
 * `Start-Process curl -ArgumentList '…'` (also `saps`, `start`; the list joined and split as .NET
 * splits a command line, exec-cmd-argv.ts). A comma list handed to a program is its items, one
 * argument each (about_Parsing: arrays passed to native commands). The web cmdlets under any name
 * or alias (`iwr`, `irm`) are read with their parameters written out in full
 * (exec-interpreter-powershell-web.ts); `curl` / `wget` are the programs (PowerShell 6+, what a
 * Linux pod runs), also read as Invoke-WebRequest where the statement uses its parameters
 * (Windows PowerShell 5.1's aliases). .NET process starts and WebClient transfers are read in
 * exec-interpreter-dotnet.ts.
 *
 * `Invoke-Expression` / `iex` runs text as PowerShell: a literal string (spelled, or a `$x` the
 * text assigns it once; as an argument or piped in: `'…' | iex`) is read again (literal);
 * `[Convert]::FromBase64String('…')` of a literal is decoded (UTF-16LE where the statement says
 * `Unicode`, else UTF-8) and read again (decoded); anything else —
 * `iex (New-Object Net.WebClient).DownloadString('…')` — runs text known only at run time.
 *
 * Bounded: MAX_STATEMENTS statements and MAX_GROUPS parenthesised texts per text, MAX_RUNS runs;
 * past a bound the reading says `truncated`. Never throws.
 */
import { quotedArgv, windowsArgv } from './exec-cmd-argv.js';
import type { CallsRead } from './exec-interpreter-calls.js';
import { readDotNet, type StartInfos } from './exec-interpreter-dotnet.js';
import type { HttpObjects } from './exec-interpreter-dotnet-http.js';
import { cmdletStyle, webArgs, webCmdlet } from './exec-interpreter-powershell-web.js';
import {
  commandName, fromBase64, MAX_GROUPS, pushRun, pushWrittenRuns, runText, Splitter, valueOf, W_BARE, type Known, type PsWord, type Statement,
} from './exec-interpreter-powershell-words.js';
import { cmdletPath, POWERSHELL_SWITCHES, type PathParameter } from './exec-cmdlet-paths.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

/** Language keywords: a statement opening with one runs no command of that name. */
const KEYWORDS = new Set(['if', 'elseif', 'else', 'foreach', 'for', 'while', 'do', 'until', 'switch', 'function', 'filter', 'workflow', 'param', 'return', 'throw', 'exit', 'break', 'continue', 'try', 'catch', 'finally', 'trap', 'begin', 'process', 'end', 'class', 'enum', 'using', 'data', 'dynamicparam', 'hidden', 'static', 'configuration']);

/** What PowerShell `text` runs (see the header). */
export function readPowerShell(text: string): CallsRead {
  const out: CallsRead = { runs: [], codes: [], kinds: 0, truncated: false };
  const texts = [text];
  const groups: string[] = [];
  const bound = new Map<string, Known | null>();
  const infos: StartInfos = new Map();
  const http: HttpObjects = new Map();
  /** Variables assigned a download's result (`$r = iwr …`, `$s = $wc.DownloadString(…)`). */
  const fetchedVars = new Set<string>();
  for (let t = 0; t < texts.length; t++) {
    const src = texts[t]!;
    const sp = new Splitter(src, groups).run();
    if (sp.truncated) out.truncated = true;
    let previous: Known | null | undefined;
    let before: Statement | undefined;
    for (const st of sp.statements) {
      readDotNet(src, st, st.piped ? before : undefined, bound, infos, http, out);
      previous = statement(src, st, st.piped ? previous : undefined, bound, out, st.piped ? before : undefined, fetchedVars);
      before = st;
    }
    while (groups.length > 0 && texts.length < MAX_GROUPS) texts.push(groups.shift()!);
    if (groups.length > 0) out.truncated = true;
  }
  return out;
}

/** Reads one statement; returns the value it hands down a pipeline (undefined: none known). */
function statement(
  src: string, st: Statement, piped: Known | null | undefined, bound: Map<string, Known | null>, out: CallsRead,
  pipedFrom: Statement | undefined, fetchedVars: Set<string>,
): Known | null | undefined {
  let words = st.words;
  const w0 = words[0];
  if (w0 === undefined) return undefined;
  if (w0.variable !== null && words[1]?.kind === W_BARE && words[1].text === '=') {
    if (words[2] !== undefined && fetchTool(src.slice(words[2].from, st.to), fetchedVars) !== null) fetchedVars.add(w0.variable);
    // `$c = '…'`: a variable assigned once is known where it is used; `$r = curl …` runs the command.
    const v = words.length === 3 ? valueOf(src, words[2]!, bound) : undefined;
    bound.set(w0.variable, bound.has(w0.variable) ? null : (v ?? null));
    words = words.slice(2);
    if (words.length === 0 || words[0]!.kind !== W_BARE) return undefined;
  }
  const head = words[0]!;
  if (!st.call && head.kind !== W_BARE) return words.length === 1 ? valueOf(src, head, bound) : fromBase64(src.slice(st.from, st.to));
  let name = head.text;
  if (st.call && head.kind !== W_BARE) {
    const v = valueOf(src, head, bound);
    if (v === undefined || v === null) {
      out.kinds |= INDIRECT_RUNTIME;
      return undefined;
    }
    name = v.text;
  }
  const lower = name.toLowerCase();
  if (KEYWORDS.has(lower) || name === '' || name === '=') return undefined;
  const args = words.slice(1);
  if (lower === 'iex' || lower === 'invoke-expression') {
    const arg = args.find((a) => !(a.kind === W_BARE && a.text.startsWith('-')));
    const v = arg !== undefined ? valueOf(src, arg, bound) : piped;
    // Text known only at run time that a download made (`iex (irm URL)`, `iwr URL | iex`): that tool feeds a script.
    const fetched = v === undefined ? fetchTool(arg !== undefined ? src.slice(arg.from, arg.to) : pipedFrom && src.slice(pipedFrom.from, pipedFrom.to), fetchedVars) : null;
    if (fetched !== null) (out.fed ??= []).includes(fetched) || out.fed.push(fetched);
    // Text known only at run time and fetched by no download: what it runs is whatever the value holds then.
    else if (v === undefined || v === null) out.opaque = true;
    runText(v, out);
    return undefined;
  }
  if (lower === 'start-process' || lower === 'saps' || lower === 'start') return startProcess(args, out);
  const argv = args.flatMap(argWords);
  const cmdlet = webCmdlet(name);
  if (cmdlet !== null) {
    pushRun(out, { line: null, argv: [cmdlet, ...webArgs(argv)], how: 0, direct: true });
    return undefined;
  }
  pushRun(out, { line: null, argv: [commandName(name), ...argv], how: 0, direct: true });
  const writer = CONTENT_WRITERS.get(lower);
  if (writer !== undefined) contentWrite(writer, args, argv, src, bound, piped, out);
  // Windows PowerShell 5.1: `curl` / `wget` (spelled so, no `.exe`) are Invoke-WebRequest.
  if ((lower === 'curl' || lower === 'wget') && cmdletStyle(argv)) pushRun(out, { line: null, argv: ['Invoke-WebRequest', ...webArgs(argv)], how: 0, direct: true });
  return undefined;
}

const PATH: PathParameter = [['path', 'literalpath'], 0];
const FILE_PATH: PathParameter = [['filepath', 'literalpath', 'path'], 0];
/** Cmdlets that write a text into a file: their path parameter, and the position of their -Value (-1: by name only; Out-File and Tee-Object write their input). */
const CONTENT_WRITERS: ReadonlyMap<string, readonly [PathParameter, number]> = new Map<string, readonly [PathParameter, number]>([
  ...['set-content', 'add-content', 'ac'].map((c) => [c, [PATH, 1]] as const),
  ...['new-item', 'ni'].map((c) => [c, [PATH, -1]] as const),
  ...['out-file', 'tee-object'].map((c) => [c, [FILE_PATH, -1]] as const),
]);

/**
 * A cmdlet writing a known text (its -Value, or what the pipeline hands it: `'…' | Out-File p`)
 * into a place that runs it: what it will run there (exec-persisted-runs.ts).
 */
function contentWrite(
  [pathParam, valueAt]: readonly [PathParameter, number], args: readonly PsWord[], argv: readonly string[], src: string,
  bound: Map<string, Known | null>, piped: Known | null | undefined, out: CallsRead,
): void {
  const path = cmdletPath(['', ...argv], 0, pathParam);
  let value: Known | null | undefined = piped;
  // The -Value word as written (a literal, or a variable assigned once), by name or position.
  const at = valueWordAt(args, valueAt);
  if (at >= 0) value = valueOf(src, args[at]!, bound);
  if (value !== null && value !== undefined) pushWrittenRuns(out, path, value.text, value.how);
}

/**
 * The index in `args` of a cmdlet's -Value word: named (`-Value x`, `-Va x`), else the positional at
 * `position`; -1 when none. Parameters are stepped over as exec-cmdlet-paths.ts `cmdletPath` steps
 * them (its switches take no value), on the words themselves so the value keeps how it came about.
 */
function valueWordAt(args: readonly PsWord[], position: number): number {
  let positional = 0;
  for (let j = 0; j < args.length; j++) {
    const a = args[j]!;
    if (a.kind === W_BARE && a.text.length > 1 && a.text[0] === '-') {
      const name = a.text.slice(1).toLowerCase();
      if (name.length >= 2 && 'value'.startsWith(name)) return j + 1 < args.length ? j + 1 : -1;
      if (!POWERSHELL_SWITCHES.has(name)) j++;
      continue;
    }
    if (positional++ === position) return j;
  }
  return -1;
}

/** A web cmdlet (or 5.1's curl / wget alias) as a command, or a .NET download to memory, in PowerShell text. */
const FETCH_COMMAND = /(?:^|[\s(;|&{=])(iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget)(?![\w.-])/i;
const FETCH_METHOD = /\.(?:downloadstring|downloaddata|getstringasync|getbytearrayasync|getstreamasync|openread)\s*\(/i;
/** A `$name` or `${name}` reference (variable names are case-insensitive; the Splitter keeps them lower case, without `$`). */
const VARIABLE = /\$(?:\{([^}]+)\}|([\w:]+))/g;

/**
 * The download tool (as the reading names it: Invoke-WebRequest, Invoke-RestMethod) whose result
 * `text` holds — a fetch spelled in it, or a variable assigned one — else null.
 */
function fetchTool(text: string | undefined, fetchedVars: ReadonlySet<string>): string | null {
  if (text === undefined || text === '') return null;
  const m = FETCH_COMMAND.exec(text);
  if (m !== null) return /^(irm|invoke-restmethod)$/i.test(m[1]!) ? 'Invoke-RestMethod' : 'Invoke-WebRequest';
  if (FETCH_METHOD.test(text)) return 'Invoke-WebRequest';
  if (fetchedVars.size === 0) return null;
  for (const v of text.matchAll(VARIABLE)) if (fetchedVars.has((v[1] ?? v[2]!).toLowerCase())) return 'Invoke-WebRequest';
  return null;
}

/** A word's arguments for a program: a comma list's items, one each. */
const argWords = (a: PsWord): string[] => (a.items !== null ? a.items.map((x) => x.text) : [a.text]);

/** Start-Process switches that take no value (about Start-Process). */
const SP_SWITCHES = new Set(['wait', 'nonewwindow', 'passthru', 'loaduserprofile', 'usenewenvironment']);

/** `Start-Process [-FilePath] file [[-ArgumentList] args]`: the program and its arguments, a run of the text's own. */
function startProcess(args: readonly PsWord[], out: CallsRead): undefined {
  let file: string | undefined;
  let list: string | undefined;
  const positional: PsWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (!(a.kind === W_BARE && a.text.length > 1 && a.text[0] === '-')) {
      positional.push(a);
      continue;
    }
    const p = a.text.slice(1).toLowerCase();
    const v = args[k + 1];
    if (SP_SWITCHES.has(p)) continue;
    k++;
    if (v === undefined) break;
    if (p.length >= 1 && 'filepath'.startsWith(p)) file = v.text;
    else if (p === 'args' || (p.length >= 1 && 'argumentlist'.startsWith(p))) list = argumentLine(v);
  }
  if (file === undefined && positional[0] !== undefined) file = positional.shift()!.text;
  if (list === undefined && positional[0] !== undefined) list = argumentLine(positional[0]);
  if (file === undefined) return undefined;
  const argv0 = commandName(file);
  pushRun(out, { line: null, argv: [argv0, ...windowsArgv(list ?? '')], how: 0, direct: true });
  if (list !== undefined && list.indexOf("'") >= 0) pushRun(out, { line: null, argv: [argv0, ...quotedArgv(list)], how: 0, direct: true });
  return undefined;
}

/**
 * An -ArgumentList value as the command line Start-Process hands on: the items joined by a space
 * (PowerShell's Start-Process joins them unquoted, then .NET splits the line again).
 */
function argumentLine(w: PsWord): string {
  return w.items !== null ? w.items.map((x) => x.text).join(' ') : w.text;
}
