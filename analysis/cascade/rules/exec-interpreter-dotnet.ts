/**
 * .NET calls in PowerShell text that start a process or move data over the web, read as the
 * commands they amount to (MITRE T1059.001; T1048, T1567, T1105). Argument values are read in
 * expression mode (exec-interpreter-dotnet-expr.ts); a value not spelled in the text is a hole.
 *
 * Process starts are code starting a program through an API, as Python's `subprocess.run([...])`
 * is, so their runs are the code's (not `direct`): `literal` when the text spells them, `runtime`
 * where a part is known only when it runs.
 * - `[System.Diagnostics.Process]::Start(file[, arguments])`: type names case-insensitive,
 *   `System.` optional, blanks around `::` and before `(` taken (a reading for detection may be
 *   more lenient than PowerShell's parser). `arguments` is a string .NET splits as
 *   exec-cmd-argv.ts says (only `"` quotes; where it holds a `'`, also split as a POSIX port on
 *   Windows would: a second run), or a list (`@('-T', 'a')`, .NET's `IEnumerable<string>` overload).
 * - A ProcessStartInfo in a variable: `$psi = New-Object System.Diagnostics.ProcessStartInfo`
 *   (with `('file', 'args')`, `-ArgumentList 'file', 'args'`, `-Property @{FileName=…;
 *   Arguments=…}`), `[Diagnostics.ProcessStartInfo]::new(…)`; then `$psi.FileName = …`,
 *   `$psi.Arguments = …`, `$psi.ArgumentList.Add(…)`, and `[Diagnostics.Process]::Start($psi)`.
 *   A Process in a variable (`New-Object Diagnostics.Process`, `[Diagnostics.Process]::new()`)
 *   with `$p.StartInfo.FileName = …` (or `$p.StartInfo = $psi`), then `$p.Start()`. A setting
 *   assigned once is read as its value; assigned twice it is known only at run time, as is a start
 *   of a variable this text made no start info in (`runtime`, no run).
 *
 * WebClient transfers run no command: the code moves the data itself, as a statement of its own
 * would. Each is read as a run of the cmdlet that does the same (`direct`, as statements are), so
 * the rules that read `Invoke-WebRequest … -InFile` (MLS-EXFIL-014) read it too:
 * `.UploadFile(url, [method,] file)` → `Invoke-WebRequest -Uri url -InFile file -Method POST`;
 * `.UploadData` / `.UploadString` / `.UploadValues` → `-InFile p` when the data is file p's content
 * read on the spot (`[IO.File]::ReadAllBytes(p)`, `(Get-Content p -Raw)`), else `-Body data`;
 * `.DownloadFile(url, file)` → `-Uri url -OutFile file`; `.DownloadString` / `.DownloadData` →
 * `-Uri url`; their `Async` / `TaskAsync` forms too. The argv ends with a word naming the call
 * (`#WebClient.UploadFile`): PowerShell reads a `#` word as a comment, so the argv is still that
 * cmdlet's command line, and the reading does not pretend the text spelled the cmdlet. These names
 * are WebClient's, so any receiver is read (`(New-Object Net.WebClient)`, `[Net.WebClient]::new()`,
 * `$wc`, a type name built from strings).
 *
 * HttpClient transfers, and `[IO.File]::WriteAllBytes` / `WriteAllText` / `Set-Content` / `Out-File`
 * of a download's body, are read as curl runs in exec-interpreter-dotnet-http.ts.
 *
 * Calls are found per statement outside strings and comments; one inside parentheses is found
 * where those are read as statements of their own. `[scriptblock]::Create(text)` runs its text
 * as Invoke-Expression does (read again, `literal`; runtime where the text is not spelled).
 * Bounded: MAX_INFOS start infos a text, and the call and list bounds of
 * exec-interpreter-dotnet-expr.ts; never throws.
 */
import { quotedArgv, windowsArgv } from './exec-cmd-argv.js';
import type { CallsRead } from './exec-interpreter-calls.js';
import { callArgs, constructorCall, exprValue, isBlank, MAX_LIST, newObjectParts, splitTop, stringEnd, trim, typeName, UNKNOWN, type Bound, type Val } from './exec-interpreter-dotnet-expr.js';
import { dotNetConstructedWrite, dotNetStaticWrite, type DotNetArgs } from './exec-interpreter-dotnet-files.js';
import { httpAssign, httpCall, httpCmdletSave, httpSave, type HttpObjects } from './exec-interpreter-dotnet-http.js';
import { commandName, DOUBLE, groupEnd, isIn, pushRun, runText, SINGLE, valueOf, W_BARE, type PsWord, type Statement } from './exec-interpreter-powershell-words.js';
import { HOLE, onlyHoles } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const MAX_INFOS = 32;

/** A start info's settings: undefined never set, null set more than once (known at run time). */
interface StartInfo {
  file: Val | null | undefined;
  args: Val | null | undefined;
  list: Val[];
}
/** Start infos by variable (lower case), for one text. */
export type StartInfos = Map<string, StartInfo>;

const PROCESS = new Set(['process', 'diagnostics.process']);
const START_INFO = new Set(['processstartinfo', 'diagnostics.processstartinfo']);
const SCRIPT_BLOCK = new Set(['scriptblock', 'management.automation.scriptblock']);
/** WebClient methods: name (lower case) → [name as documented, what its data argument is]. */
const WEB = new Map<string, [string, 'file' | 'data' | 'out' | 'get']>();
for (const [name, kind] of [['UploadFile', 'file'], ['UploadData', 'data'], ['UploadString', 'data'], ['UploadValues', 'data'], ['DownloadFile', 'out'], ['DownloadString', 'get'], ['DownloadData', 'get']] as const) {
  for (const suffix of ['', 'Async', 'TaskAsync']) WEB.set(`${name}${suffix}`.toLowerCase(), [`${name}${suffix}`, kind]);
}
const SETTING = /^\$([A-Za-z0-9_]+)(\.StartInfo)?\.(FileName|Arguments)$/i;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** The .NET process starts and web transfers of one statement of `src` (see the header); `piped`: the statement whose output it takes. */
export function readDotNet(src: string, st: Statement, piped: Statement | undefined, bound: Bound, infos: StartInfos, http: HttpObjects, out: CallsRead): void {
  const words = st.words;
  const last = words[words.length - 1];
  if (last === undefined) return;
  if (words.length >= 3 && words[1]!.kind === W_BARE && words[1]!.text === '=') {
    assignment(src, words, last.to, bound, infos, out);
    httpAssign(src, words, last.to, bound, http, out);
  }
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w.kind !== W_BARE || w.text.toLowerCase() !== 'new-object') continue;
    const n = newObjectParts(src, words, k + 1);
    if (n.type !== undefined) dotNetConstructedWrite(n.type, argsOf(src, n.ctor, bound), out);
  }
  // Before the calls: a fetch written in place is read as saved, not again as a download.
  httpCmdletSave(src, words, piped?.words, (w) => valueOf(src, w, bound)?.text ?? w.text, bound, http, out);
  scanCalls(src, st.from, st.to, bound, infos, http, out);
}

/** `$psi.FileName = …`, `$p.StartInfo = $psi`, `$psi = New-Object …ProcessStartInfo …` / `[…]::new(…)`. */
function assignment(src: string, words: readonly PsWord[], end: number, bound: Bound, infos: StartInfos, out: CallsRead): void {
  const target = src.slice(words[0]!.from, Math.min(words[0]!.to, words[0]!.from + 160));
  const m = SETTING.exec(target);
  if (m !== null) {
    const info = infoOf(m[1]!.toLowerCase(), infos, out);
    if (info === null) return;
    const v = exprValue(src, words[2]!.from, end, bound);
    if (m[3]!.toLowerCase() === 'filename') info.file = info.file === undefined ? v : null;
    else info.args = info.args === undefined ? v : null;
    return;
  }
  const share = /^\$([A-Za-z0-9_]+)\.StartInfo$/i.exec(target);
  if (share !== null && words.length === 3 && words[2]!.variable !== null) {
    const from = infos.get(words[2]!.variable);
    if (from !== undefined && (infos.size < MAX_INFOS || infos.has(share[1]!.toLowerCase()))) infos.set(share[1]!.toLowerCase(), from);
    return;
  }
  const v = words[0]!.variable;
  if (v === null) return;
  const made = words[2]!.kind === W_BARE && words[2]!.text.toLowerCase() === 'new-object' ? newObject(src, words, bound) : constructed(src, words[2]!.from, end, bound);
  if (made === null) return;
  if (infos.size >= MAX_INFOS && !infos.has(v)) out.truncated = true;
  else infos.set(v, made);
}

function infoOf(name: string, infos: StartInfos, out: CallsRead): StartInfo | null {
  const had = infos.get(name);
  if (had !== undefined) return had;
  if (infos.size >= MAX_INFOS) {
    out.truncated = true;
    return null;
  }
  const info: StartInfo = { file: undefined, args: undefined, list: [] };
  infos.set(name, info);
  return info;
}

/** A start info from a type and its constructor's arguments, or null for another type. */
function made(type: string, ctor: readonly Val[]): StartInfo | null {
  if (PROCESS.has(type)) return { file: undefined, args: undefined, list: [] };
  if (!START_INFO.has(type)) return null;
  return { file: ctor[0], args: ctor[1], list: [] };
}

/** `[Diagnostics.ProcessStartInfo]::new('file', 'args')`. */
function constructed(src: string, from: number, to: number, bound: Bound): StartInfo | null {
  const c = constructorCall(src, from, to);
  return c === null ? null : made(c.type, c.ctor.map(([a, b]) => exprValue(src, a, b, bound)));
}

/** `New-Object [-TypeName] T [(args) | -ArgumentList args] [-Property @{…}]` after `$v =`. */
function newObject(src: string, words: readonly PsWord[], bound: Bound): StartInfo | null {
  const n = newObjectParts(src, words, 3);
  const info = n.type === undefined ? null : made(n.type, n.ctor.map(([a, b]) => exprValue(src, a, b, bound)));
  const props = n.props;
  if (info !== null && props !== undefined && src.startsWith('@{', props.from)) {
    const close = Math.min(groupEnd(src, props.from + 1), props.to);
    for (const [a, b] of splitTop(src, props.from + 2, close - 1, ';\n', MAX_LIST)) {
      const kv = splitTop(src, a, b, '=', 2);
      if (kv.length !== 2) continue;
      const key = src.slice(...trim(src, kv[0]![0], kv[0]![1])).replace(/['"]/g, '').toLowerCase();
      if (key === 'filename') info.file = exprValue(src, kv[1]![0], b, bound);
      else if (key === 'arguments') info.args = exprValue(src, kv[1]![0], b, bound);
    }
  }
  return info;
}

/** Calls in `src[from, to)` outside strings, comments and nested parentheses. */
function scanCalls(src: string, from: number, to: number, bound: Bound, infos: StartInfos, http: HttpObjects, out: CallsRead): void {
  for (let i = from; i < to; i++) {
    const c = src.charAt(i);
    const n = src.charAt(i + 1);
    if (c === '`') i++;
    else if (c === '@' && (isIn(SINGLE, n) || isIn(DOUBLE, n))) {
      // A here-string: to its closing line, or the end.
      const k = src.indexOf(`\n${n}@`, i + 2);
      i = k < 0 || k >= to ? to : k + 2;
    } else if (isIn(SINGLE, c) || isIn(DOUBLE, c)) i = stringEnd(src, i, to) - 1;
    else if (c === '#' && (i === from || isBlank(src.charAt(i - 1)))) {
      const k = src.indexOf('\n', i);
      i = k < 0 || k >= to ? to : k;
    } else if (c === '<' && n === '#') {
      const k = src.indexOf('#>', i + 2);
      i = k < 0 || k >= to ? to : k + 1;
    } else if (c === '(') {
      const end = Math.min(groupEnd(src, i), to);
      call(src, from, i, end, bound, infos, http, out);
      i = end - 1;
    }
  }
}

/** The call whose argument list opens at `open`, when it is one named in the header. */
function call(src: string, from: number, open: number, end: number, bound: Bound, infos: StartInfos, http: HttpObjects, out: CallsRead): void {
  let k = open - 1;
  while (k >= from && isBlank(src.charAt(k))) k--;
  const nameEnd = k + 1;
  while (k >= from && NAME_CHAR.test(src.charAt(k))) k--;
  const name = src.slice(k + 1, nameEnd).toLowerCase();
  while (k >= from && isBlank(src.charAt(k))) k--;
  const isStatic = src.charAt(k) === ':' && src.charAt(k - 1) === ':';
  if (name === '' || (!isStatic && src.charAt(k) !== '.')) return;
  const recvEnd = isStatic ? k - 1 : k;
  const args = (): Val[] => callArgs(src, open, end).map(([a, b]) => exprValue(src, a, b, bound));
  const web = WEB.get(name);
  if (web !== undefined) return transfer(web[0], web[1], args(), out);
  if (!isStatic && httpCall(src, from, open, end, recvEnd, name, bound, http, out)) return;
  if (isStatic) {
    const type = receiverType(src, from, recvEnd);
    dotNetStaticWrite(type, name, () => argsOf(src, callArgs(src, open, end), bound), out);
    if (httpSave(src, open, end, type, name, bound, http, out)) return;
    if (name === 'start' && PROCESS.has(type)) processStart(src, callArgs(src, open, end), bound, infos, out);
    else if (name === 'create' && SCRIPT_BLOCK.has(type)) {
      // `[scriptblock]::Create(text)` makes code that `&`, Invoke-Command or Start-Job runs: read as Invoke-Expression's text.
      const v = args()[0] ?? UNKNOWN;
      runText((v.how & INDIRECT_RUNTIME) !== 0 ? undefined : v, out);
    }
    return;
  }
  const recv = /\$([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+)*)\s*$/.exec(src.slice(Math.max(from, recvEnd - 160), recvEnd));
  if (recv === null) return;
  const v = recv[1]!.toLowerCase();
  const path = recv[2]!.toLowerCase();
  if (name === 'start' && path === '' && infos.has(v)) start(infos.get(v)!, out);
  else if (name === 'add' && (path === '.argumentlist' || path === '.startinfo.argumentlist')) {
    const info = infoOf(v, infos, out);
    const a = args()[0];
    if (info !== null && a !== undefined && info.list.length < MAX_LIST) info.list.push(a);
  }
}

/** Argument spans' values and (bounded) source texts, for exec-interpreter-dotnet-files.ts. */
function argsOf(src: string, spans: ReadonlyArray<[number, number]>, bound: Bound): DotNetArgs {
  return spans.map(([a, b]) => ({ val: exprValue(src, a, b, bound), src: src.slice(a, Math.min(b, a + 160)) }));
}

/** The type literal before a `::` ending at `end` (`[System.Diagnostics.Process]`), as `typeName` writes it; '' for none. */
function receiverType(src: string, from: number, end: number): string {
  let k = end - 1;
  while (k >= from && isBlank(src.charAt(k))) k--;
  if (src.charAt(k) !== ']') return '';
  let depth = 0;
  for (let j = k; j >= from && k - j < 256; j--) {
    const c = src.charAt(j);
    if (c === ']') depth++;
    else if (c === '[' && --depth === 0) return typeName(src.slice(j + 1, k));
  }
  return '';
}

/** `[Diagnostics.Process]::Start(…)`: a start info variable, a file, a file and its arguments (a string or a list). */
function processStart(src: string, spans: ReadonlyArray<[number, number]>, bound: Bound, infos: StartInfos, out: CallsRead): void {
  if (spans.length === 0) return;
  const [a, b] = trim(src, spans[0]![0], spans[0]![1]);
  const only = spans.length === 1 ? /^\$([A-Za-z0-9_]+)$/.exec(src.slice(a, Math.min(b, a + 128))) : null;
  if (only !== null) {
    const info = infos.get(only[1]!.toLowerCase());
    if (info !== undefined) start(info, out);
    else out.kinds |= INDIRECT_RUNTIME;
    return;
  }
  const file = exprValue(src, a, b, bound);
  const second = spans[1];
  if (second === undefined) return run(file, undefined, [], out);
  const [c, d] = trim(src, second[0], second[1]);
  const at = src.charAt(c) === '@' ? c + 1 : c;
  const isList = src.charAt(at) === '(' && groupEnd(src, at) === d && (at > c || splitTop(src, at + 1, d - 1, ',', 2).length > 1);
  if (isList) run(file, undefined, callArgs(src, at, d).slice(0, MAX_LIST).map(([x, y]) => exprValue(src, x, y, bound)), out);
  else run(file, exprValue(src, c, d, bound), [], out);
}

function start(info: StartInfo, out: CallsRead): void {
  run(info.file, info.args, info.list, out);
}

/** A process start's runs: the file and its arguments (see the header). */
function run(file: Val | null | undefined, args: Val | null | undefined, list: readonly Val[], out: CallsRead): void {
  if (file === undefined || file === null || onlyHoles(file.text)) {
    out.kinds |= INDIRECT_RUNTIME;
    return;
  }
  let how = file.how | (args?.how ?? 0);
  for (const v of list) how |= v.how;
  const head = [commandName(file.text), ...list.map((v) => v.text)];
  out.kinds |= how || INDIRECT_LITERAL;
  if (args === null) {
    out.kinds |= INDIRECT_RUNTIME;
    return pushRun(out, { line: null, argv: [...head, HOLE], how: how | INDIRECT_RUNTIME });
  }
  const text = args?.text ?? '';
  pushRun(out, { line: null, argv: [...head, ...windowsArgv(text)], how });
  if (text.indexOf("'") >= 0) pushRun(out, { line: null, argv: [...head, ...quotedArgv(text)], how });
}

/** A WebClient transfer as the web cmdlet's run (see the header). */
function transfer(name: string, kind: 'file' | 'data' | 'out' | 'get', args: readonly Val[], out: CallsRead): void {
  const url = args[0];
  if (url === undefined) return;
  const argv = ['Invoke-WebRequest', '-Uri', url.text];
  if (kind === 'file' || kind === 'data') {
    const data = args[args.length >= 3 ? 2 : 1];
    const method = args.length >= 3 ? args[1]!.text : 'POST';
    if (data === undefined) argv.push('-Body', UNKNOWN.text);
    else if (kind === 'file') argv.push('-InFile', data.text);
    else if (data.file !== undefined) argv.push('-InFile', data.file);
    else argv.push('-Body', data.text);
    argv.push('-Method', method);
  } else if (kind === 'out') argv.push('-OutFile', args[1]?.text ?? UNKNOWN.text);
  argv.push(`#WebClient.${name}`);
  pushRun(out, { line: null, argv, how: 0, direct: true });
}
