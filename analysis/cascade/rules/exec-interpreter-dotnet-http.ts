/**
 * System.Net.Http in PowerShell text read as the curl runs that move the same data (MITRE T1048,
 * T1567; T1105 for downloads), as WebClient's calls are read as the web cmdlet's
 * (exec-interpreter-dotnet.ts; exec-interpreter-transfer.ts says why a library call is a run):
 * - `HttpClient.PutAsync(url, content)` / `PostAsync` / `PatchAsync` (and `SendAsync` / `Send` of
 *   an `HttpRequestMessage(method, url)` whose `Content` the text sets) → `curl -X METHOD -T p
 *   URL #HttpClient.PutAsync` for content read from file p (`StreamContent` of
 *   `[IO.File]::OpenRead(p)` or a `FileStream` opened on p, `ByteArrayContent` /
 *   `ReadOnlyMemoryContent` of `[IO.File]::ReadAllBytes(p)` or `(Get-Content p -Raw)`), `-F
 *   name=@p` for a `MultipartFormDataContent` the text `Add`s such content to, `--data-raw DATA`
 *   for other content (`StringContent`, a form without a file part);
 * - `GetAsync(url)`, `GetStringAsync`, `GetByteArrayAsync`, `GetStreamAsync` → `curl URL` (a download);
 *   one whose awaited body (`.Result`, `.GetAwaiter().GetResult()`; for GetAsync its response's
 *   `.Content.ReadAsByteArrayAsync()` / `ReadAsStringAsync` / `ReadAsStreamAsync` awaited) is
 *   written to file p → `curl -o p URL` (the fetch's marker kept): `[IO.File]::WriteAllBytes(p,
 *   body)` / `WriteAllText` (their `Async` forms; the body in place or a variable assigned it),
 *   `body.CopyTo(fs)` / `CopyToAsync` (a response's `.Content` too; in place or on a variable) with
 *   fs a stream writing p (`[IO.File]::Create(p)` / `OpenWrite(p)`, a `FileStream` created on p),
 *   the cmdlets `Set-Content [-Path] p [-Value] body` and `Out-File [-FilePath] p -InputObject body`
 *   (`-LiteralPath` too; the body piped in: `$b | Out-File p`). The cmdlets' encoding
 *   (`-AsByteStream`, `-Encoding Byte`, none) is not weighed: whatever form it takes, p is written
 *   from the download. A write of anything else is no download.
 * The receiver must be an HttpClient: a variable the text assigns one (`New-Object
 * System.Net.Http.HttpClient`, `[Net.Http.HttpClient]::new()`), or such a construction written
 * as the receiver; `$x.PostAsync(…)` on anything else is nothing. Type names as .NET compares
 * them here: case-insensitive, `System.` optional, `Net.Http.` optional (`using namespace
 * System.Net.Http`). Objects are followed through variables assigned once (a second assignment
 * makes the variable unknown). A value the text does not spell is HOLE.
 *
 * Bounded: MAX_OBJECTS variables a text, MAX_DEPTH nested constructions, the call and list bounds
 * of exec-interpreter-dotnet-expr.ts; never throws.
 */
import type { CallsRead } from './exec-interpreter-calls.js';
import { callArgs, constructorCall, exprValue, newObjectParts, trim, UNKNOWN, type Bound, type Val } from './exec-interpreter-dotnet-expr.js';
import { groupEnd, pushRun, Splitter, W_BARE, type PsWord } from './exec-interpreter-powershell-words.js';
import { HOLE } from './exec-interpreter-token.js';

const MAX_OBJECTS = 32;
const MAX_DEPTH = 4;

/** What a variable holds (see the header); `#`-keyed entries: the saved downloads (`saved`). */
export interface HttpObj {
  k: 'client' | 'content' | 'form' | 'request' | 'file' | 'body' | 'out' | 'saved';
  /** content, file: the file read; form: its first file part's file. */
  file?: string;
  /** form: that part's name. */
  part?: string;
  /** content: data not read from a file. */
  data?: Val;
  /** request: its method (upper case), URL and content; null where set twice. */
  method?: string;
  url?: Val;
  content?: HttpObj | null;
  /** body: the download's `curl URL #HttpClient.X` run; assigned: its variable's (that run read where it was assigned). */
  fetch?: string[];
  assigned?: true;
  /** out: the file a stream writes. */
  to?: string;
  /** saved: how many of these fetch calls are yet to be read (their body was read as saved). */
  count?: number;
}
/** Objects by variable (lower case); null: assigned more than once. */
export type HttpObjects = Map<string, HttpObj | null>;

/** Type names (`System.` and `Net.Http.` dropped, lower case) → what a construction makes. */
const TYPES = new Map([
  ['httpclient', 'client'], ['streamcontent', 'file'], ['bytearraycontent', 'file'], ['readonlymemorycontent', 'file'],
  ['stringcontent', 'string'], ['formurlencodedcontent', 'string'], ['multipartformdatacontent', 'form'], ['multipartcontent', 'form'],
  ['httprequestmessage', 'request'], ['io.filestream', 'stream'], ['filestream', 'stream'],
]);
/** HttpClient methods (lower case) → [name as documented, method]: '' a request message's, GET a download. */
const CALLS = new Map<string, [string, string]>();
for (const name of ['PutAsync', 'PostAsync', 'PatchAsync', 'SendAsync', 'Send', 'GetAsync', 'GetStringAsync', 'GetByteArrayAsync', 'GetStreamAsync']) {
  CALLS.set(name.toLowerCase(), [name, name.startsWith('Send') ? '' : name.startsWith('Get') ? 'GET' : name.slice(0, -5).toUpperCase()]);
}
const VARIABLE = /^\$([A-Za-z0-9_]+)$/;
/** `[IO.File]` methods that write a value to a file (their first argument). */
const SAVES = new Set(['writeallbytes', 'writealltext', 'writeallbytesasync', 'writealltextasync']);
/** A download's task awaited, its result (a response's `.Content` too) copied to a stream: `….Result.CopyTo(`. */
const COPY_TO = /^\s*\.\s*(?:Result|GetAwaiter\s*\(\s*\)\s*\.\s*GetResult\s*\(\s*\))(?:\s*\.\s*Content)?\s*\.\s*CopyTo(?:Async)?\s*\(/i;
/** A call's task awaited: `).Result`, `).GetAwaiter().GetResult()`. */
const AWAITED = /\)\s*\.\s*(?:Result|GetAwaiter\s*\(\s*\)\s*\.\s*GetResult\s*\(\s*\))$/i;
const FETCH_CALL = /^\s*\.\s*(Get(?:ByteArray|String|Stream)?Async)\s*\(/i;
/** After `GetAsync(u)`: its response awaited, its content read (`.Result.Content.ReadAsByteArrayAsync()`), the read's task awaited next. */
const READ_AS = /^\s*\.\s*(?:Result|GetAwaiter\s*\(\s*\)\s*\.\s*GetResult\s*\(\s*\))\s*\.\s*Content\s*\.\s*ReadAs(?:ByteArray|String|Stream)Async\s*\(\s*\)/i;
const MEMBER = /^\$([A-Za-z0-9_]+)\.(Content|Method|RequestUri)$/i;

/** `$v = <object>`, `$req.Content = …`, `$req.Method = …`, `$req.RequestUri = …` (the statement's words, its end). */
export function httpAssign(src: string, words: readonly PsWord[], end: number, bound: Bound, objs: HttpObjects, out: CallsRead): void {
  const w0 = words[0]!;
  const from = words[2]!.from;
  const m = MEMBER.exec(src.slice(w0.from, Math.min(w0.to, w0.from + 160)));
  if (m !== null) {
    const req = objs.get(m[1]!.toLowerCase());
    if (req?.k !== 'request') return;
    const field = m[2]!.toLowerCase();
    if (field === 'content') req.content = req.content === undefined ? (objectOf(src, from, end, bound, objs, 0) ?? dataOf(src, from, end, bound)) : null;
    else if (field === 'method') req.method = req.method === undefined ? methodOf(src, from, end, bound) : HOLE;
    else req.url = req.url === undefined ? exprValue(src, from, end, bound) : UNKNOWN;
    return;
  }
  const v = w0.variable;
  if (v === null) return;
  if (objs.has(v)) return void objs.set(v, null);
  const o = objectOf(src, from, end, bound, objs, 0);
  if (o === null) return;
  if (objs.size >= MAX_OBJECTS) return void (out.truncated = true);
  // `$b = $c.GetByteArrayAsync($u).Result`: the fetch is read in this statement, as a download to nowhere until a save names the file.
  if (o.k === 'body') o.assigned = true;
  objs.set(v, o);
}

/**
 * The call `name(…)` whose `(` is at `open` (group end `end`), its receiver ending at `recvEnd`:
 * an HttpClient transfer's run, or a form's `Add`; false when it is neither.
 */
export function httpCall(src: string, from: number, open: number, end: number, recvEnd: number, name: string, bound: Bound, objs: HttpObjects, out: CallsRead): boolean {
  const spec = CALLS.get(name);
  const copy = name === 'copyto' || name === 'copytoasync';
  if (spec === undefined && name !== 'add' && !copy) return false;
  const recv = receiver(src, from, recvEnd, objs);
  const args = callArgs(src, open, end);
  if (copy) {
    // `$s = $c.GetStreamAsync($u).Result; $s.CopyTo($fs)`: the download saved where the stream writes.
    const to = args[0] === undefined ? null : objectOf(src, args[0][0], args[0][1], bound, objs, 0);
    if (recv?.k !== 'body' || to?.k !== 'out') return false;
    saveRun(recv, to.to!, objs, out);
    return true;
  }
  if (spec === undefined) {
    // `$form.Add(content, 'name'[, 'file name'])`: the first file part is the form's.
    if (recv?.k !== 'form' || recv.file !== undefined || args[0] === undefined) return false;
    const part = objectOf(src, args[0][0], args[0][1], bound, objs, 0);
    if (part?.file === undefined) return true;
    recv.file = part.file;
    recv.part = args[1] === undefined ? 'file' : exprValue(src, args[1][0], args[1][1], bound).text;
    return true;
  }
  if (recv?.k !== 'client') return false;
  const [documented, method] = spec;
  const marker = `#HttpClient.${documented}`;
  const value = (k: number): Val => (args[k] === undefined ? UNKNOWN : exprValue(src, args[k]![0], args[k]![1], bound));
  if (method === 'GET') fetchRun(src, end, ['curl', value(0).text, marker], bound, objs, out);
  else if (method !== '') {
    const body = args[1] === undefined ? null : (objectOf(src, args[1][0], args[1][1], bound, objs, 0) ?? dataOf(src, args[1][0], args[1][1], bound));
    pushRun(out, { line: null, argv: curlOf(method, value(0), body, marker), how: 0, direct: true });
  } else {
    const req = args[0] === undefined ? null : objectOf(src, args[0][0], args[0][1], bound, objs, 0);
    if (req?.k !== 'request') pushRun(out, { line: null, argv: ['curl', '-X', HOLE, HOLE, marker], how: 0, direct: true });
    else pushRun(out, { line: null, argv: curlOf(req.method ?? 'GET', req.url ?? UNKNOWN, req.content ?? null, marker), how: 0, direct: true });
  }
  return true;
}

/**
 * `[IO.File]::WriteAllBytes(p, X)` (`WriteAllText`, their `Async` forms), the call's type and
 * name as exec-interpreter-dotnet.ts reads them: where X is a download's body (an HttpClient
 * fetch awaited, or a variable assigned one), that download saved to p; false for any other call
 * or value (a write of other data is no download).
 */
export function httpSave(src: string, open: number, end: number, type: string, name: string, bound: Bound, objs: HttpObjects, out: CallsRead): boolean {
  if (type !== 'io.file' || !SAVES.has(name)) return false;
  const args = callArgs(src, open, end);
  const body = args[1] === undefined ? null : objectOf(src, args[1][0], args[1][1], bound, objs, 0);
  if (body?.k !== 'body') return false;
  saveRun(body, exprValue(src, args[0]![0], args[0]![1], bound).text, objs, out);
  return true;
}

/** Cmdlets that write their value to a file: [parameters taking a value (lower case) → the one they are, positional parameters]. */
const WRITERS = new Map<string, [Map<string, string>, string[]]>([
  ['set-content', [new Map([['path', 'path'], ['literalpath', 'path'], ['pspath', 'path'], ['lp', 'path'], ['value', 'value'], ['encoding', ''], ['filter', ''], ['include', ''], ['exclude', ''], ['credential', ''], ['stream', '']]), ['path', 'value']]],
  ['out-file', [new Map([['filepath', 'path'], ['path', 'path'], ['literalpath', 'path'], ['pspath', 'path'], ['lp', 'path'], ['inputobject', 'value'], ['encoding', ''], ['width', '']]), ['path', '']]],
]);

/**
 * `Set-Content [-Path] p [-Value] body`, `Out-File [-FilePath] p -InputObject body`, or body
 * piped in from the statement before (`piped`, a statement of one word): where body is a
 * download's body, that download saved to p (`path`: a word's value as the text hands it on).
 * A parameter is named in full or by a prefix of it (about_Parameters); switches take no value.
 */
export function httpCmdletSave(src: string, words: readonly PsWord[], piped: readonly PsWord[] | undefined, path: (w: PsWord) => string, bound: Bound, objs: HttpObjects, out: CallsRead): void {
  const spec = words[0]?.kind === W_BARE ? WRITERS.get(words[0].text.toLowerCase()) : undefined;
  if (spec === undefined) return;
  const [params, positional] = spec;
  const got = new Map<string, PsWord>();
  let k = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const named = w.kind === W_BARE && /^-[A-Za-z]/.test(w.text) ? w.text.slice(1).toLowerCase() : undefined;
    if (named === undefined) {
      const p = positional[k++];
      if (p !== undefined && p !== '' && !got.has(p)) got.set(p, w);
      continue;
    }
    // `-Value:$b` holds its value in the word: not read here, so the statement reads nothing.
    if (named.includes(':')) return;
    let hit = params.get(named);
    if (hit === undefined) for (const [name, is] of params) if (name.startsWith(named)) hit ??= is;
    if (hit === undefined) continue; // a switch (-AsByteStream, -NoNewline, -Force…)
    const v = words[++i];
    if (v !== undefined && hit !== '') got.set(hit, v);
  }
  const p = got.get('path');
  const named = got.get('value');
  const v = named ?? (piped?.length === 1 ? piped[0] : undefined);
  if (p === undefined || v === undefined) return;
  const body = objectOf(src, v.from, v.to, bound, objs, 0);
  if (body?.k !== 'body') return;
  // Piped in: the statement before has read its fetch already; the save takes that run's place.
  saveRun(v === named ? body : { ...body, assigned: true }, path(p), objs, out);
}

/**
 * A download's body saved to `path`: `curl -o path URL #HttpClient.X`. An assigned body's fetch
 * run (read where it was assigned) becomes that run; a body written in place (`WriteAllBytes(p,
 * $c.GetByteArrayAsync(u).Result)`) is read here and its fetch call, read later with the
 * parenthesis's text, is marked `saved` so that it is not read again.
 */
function saveRun(body: HttpObj, path: string, objs: HttpObjects, out: CallsRead): void {
  const fetch = body.fetch!;
  const saved = ['curl', '-o', path, ...fetch.slice(1)];
  if (body.assigned) {
    for (let k = out.runs.length - 1; k >= 0; k--) {
      const r = out.runs[k]!;
      if (r.argv?.length === fetch.length && r.argv.every((w, i) => w === fetch[i])) return void (out.runs[k] = { ...r, argv: saved });
    }
    return pushRun(out, { line: null, argv: saved, how: 0, direct: true });
  }
  const key = `#${fetch.join('\0')}`;
  const mark = objs.get(key);
  if (mark?.k === 'saved') mark.count!++;
  else if (objs.size >= MAX_OBJECTS) return void (out.truncated = true); // the fetch is read as a download to nowhere
  else objs.set(key, { k: 'saved', count: 1 });
  pushRun(out, { line: null, argv: saved, how: 0, direct: true });
}

/** A fetch call's run (`curl URL`): `-o p` where its result is copied on to a stream writing p (`….Result.CopyTo($fs)`), none where it was read as saved already. */
function fetchRun(src: string, end: number, fetch: string[], bound: Bound, objs: HttpObjects, out: CallsRead): void {
  const copy = COPY_TO.exec(src.slice(end, end + 120));
  if (copy !== null) {
    const open = end + copy[0].length - 1;
    const target = callArgs(src, open, groupEnd(src, open))[0];
    const to = target === undefined ? null : objectOf(src, target[0], target[1], bound, objs, 0);
    if (to?.k === 'out') return pushRun(out, { line: null, argv: ['curl', '-o', to.to!, ...fetch.slice(1)], how: 0, direct: true });
  }
  const mark = objs.get(`#${fetch.join('\0')}`);
  if (mark?.k === 'saved' && mark.count! > 0) return void mark.count!--;
  pushRun(out, { line: null, argv: fetch, how: 0, direct: true });
}

/** The curl command line of a request: a file's content `-T`, a form's file `-F`, other content `--data-raw`, none a fetch (GET) or a bare request. */
function curlOf(method: string, url: Val, body: HttpObj | null, marker: string): string[] {
  const head = ['curl', '-X', method];
  const tail = [url.text, marker];
  if (body === null) return method === 'GET' ? ['curl', ...tail] : [...head, ...tail];
  if (body.k === 'form' && body.file !== undefined) return [...head, '-F', `${body.part ?? 'file'}=@${body.file}`, ...tail];
  if (body.k !== 'form' && body.file !== undefined) return [...head, '-T', body.file, ...tail];
  return [...head, '--data-raw', body.data?.text ?? HOLE, ...tail];
}

/** The object a call's receiver is: a variable's, or an HttpClient constructed in place. */
function receiver(src: string, from: number, recvEnd: number, objs: HttpObjects): HttpObj | null {
  const [a, b] = trim(src, Math.max(from, recvEnd - 200), recvEnd);
  const text = src.slice(a, b);
  const v = /\$([A-Za-z0-9_]+)$/.exec(text);
  if (v !== null) return objs.get(v[1]!.toLowerCase()) ?? null;
  // `(New-Object System.Net.Http.HttpClient)`, `[Net.Http.HttpClient]::new($handler)`.
  return text.endsWith(')') && /(?:^|[\s.[(])httpclient[\s\]()]/i.test(text) ? { k: 'client' } : null;
}

/** Content that is no object this reading knows: its value as data. */
function dataOf(src: string, from: number, to: number, bound: Bound): HttpObj {
  const v = exprValue(src, from, to, bound);
  return v.file !== undefined ? { k: 'content', file: v.file } : { k: 'content', data: v };
}

/** The object the expression [from, to) makes or names (a variable, a construction, an open file), or null. */
function objectOf(src: string, from0: number, to0: number, bound: Bound, objs: HttpObjects, depth: number): HttpObj | null {
  const [from, to] = trim(src, from0, to0);
  if (from >= to || depth > MAX_DEPTH) return null;
  const body = fetchOf(src, from, to, bound, objs);
  if (body !== null) return body;
  const c = src.charAt(from);
  if (c === '$') {
    const m = VARIABLE.exec(src.slice(from, Math.min(to, from + 128)));
    return m === null ? null : (objs.get(m[1]!.toLowerCase()) ?? null);
  }
  if (c === '(' && groupEnd(src, from) === to) {
    // `(New-Object …)`, `($x)`; else `(Get-Content p -Raw)` below.
    const inner = objectOf(src, from + 1, to - 1, bound, objs, depth + 1);
    if (inner !== null) return inner;
  } else if (c === '[') {
    // `[IO.File]::Create(p)`, `OpenWrite(p)`: a stream writing p.
    const opened = /^\[\s*(?:System\.)?IO\.File\s*\]\s*::\s*(?:Create|OpenWrite)\s*\(/i.exec(src.slice(from, Math.min(to, from + 80)));
    if (opened !== null && groupEnd(src, from + opened[0].length - 1) === to) {
      const p = callArgs(src, from + opened[0].length - 1, to)[0];
      return { k: 'out', to: p === undefined ? HOLE : exprValue(src, p[0], p[1], bound).text };
    }
    const made = constructorCall(src, from, to);
    if (made !== null && made.end === to) return construct(made.type, made.ctor, src, bound, objs, depth);
  } else if (/^new-object\s/i.test(src.slice(from, from + 11))) {
    const text = src.slice(from, to);
    const words = new Splitter(text, []).run().statements[0]?.words ?? [];
    const n = newObjectParts(text, words, 1);
    return n.type === undefined ? null : construct(n.type, n.ctor, text, bound, objs, depth);
  }
  const v = exprValue(src, from, to, bound);
  return v.file !== undefined ? { k: 'file', file: v.file } : null;
}

/**
 * `RECV.GetByteArrayAsync(u)` (`GetStringAsync`, `GetStreamAsync`) awaited (`.Result`,
 * `.GetAwaiter().GetResult()`), RECV an HttpClient (a variable or a construction): the body that
 * download reads, or null.
 */
function fetchOf(src: string, from: number, to: number, bound: Bound, objs: HttpObjects): HttpObj | null {
  const awaited = AWAITED.exec(src.slice(Math.max(from, to - 64), to));
  if (awaited === null) return null;
  const c = src.charAt(from);
  let recvEnd = -1;
  if (c === '$') {
    const v = /^\$[A-Za-z0-9_]{1,128}/.exec(src.slice(from, from + 130));
    recvEnd = v === null ? -1 : from + v[0].length;
  } else if (c === '(') recvEnd = groupEnd(src, from);
  else if (c === '[') recvEnd = constructorCall(src, from, to)?.end ?? -1;
  if (recvEnd <= from || recvEnd >= to) return null;
  const m = FETCH_CALL.exec(src.slice(recvEnd, recvEnd + 48));
  if (m === null) return null;
  const open = recvEnd + m[0].length - 1;
  const end = groupEnd(src, open);
  // GetAsync's result is a response: a body only where its content is read on.
  const response = m[1]!.toLowerCase() === 'getasync';
  const read = response ? READ_AS.exec(src.slice(end, end + 120)) : null;
  if (response && read === null) return null;
  if (end + (read?.[0].length ?? 0) !== to - awaited[0].length + 1 || receiver(src, from, recvEnd, objs)?.k !== 'client') return null;
  const url = callArgs(src, open, end)[0];
  return { k: 'body', fetch: ['curl', url === undefined ? HOLE : exprValue(src, url[0], url[1], bound).text, `#HttpClient.${CALLS.get(m[1]!.toLowerCase())![0]}`] };
}

/** What `new T(args)` makes (see TYPES). */
function construct(type: string, ctor: ReadonlyArray<[number, number]>, src: string, bound: Bound, objs: HttpObjects, depth: number): HttpObj | null {
  const kind = TYPES.get(type.startsWith('net.http.') ? type.slice(9) : type);
  const arg = (k: number): Val => (ctor[k] === undefined ? UNKNOWN : exprValue(src, ctor[k]![0], ctor[k]![1], bound));
  switch (kind) {
    case 'client':
    case 'form':
      return { k: kind };
    case 'file': {
      const inner = ctor[0] === undefined ? null : objectOf(src, ctor[0][0], ctor[0][1], bound, objs, depth + 1);
      return inner?.file !== undefined && inner.k !== 'form' ? { k: 'content', file: inner.file } : { k: 'content', data: UNKNOWN };
    }
    case 'string':
      return { k: 'content', data: arg(0) };
    case 'request':
      return { k: 'request', method: ctor[0] === undefined ? undefined : methodOf(src, ctor[0][0], ctor[0][1], bound), url: ctor[1] === undefined ? undefined : arg(1) };
    case 'stream': {
      // FileStream(path, mode[, access]): read where it opens an existing file and asks for no write; writing where it creates one.
      const mode = ctor[1] === undefined ? '' : src.slice(ctor[1][0], ctor[1][1]);
      const access = ctor[2] === undefined ? '' : src.slice(ctor[2][0], ctor[2][1]);
      const reads = /open/i.test(mode) && !/create|append|truncate/i.test(mode) && !/(?:^|[^d])write/i.test(access);
      if (reads) return { k: 'file', file: arg(0).text };
      return /create|append|truncate/i.test(mode) ? { k: 'out', to: arg(0).text } : null;
    }
    default:
      return null;
  }
}

/** An HTTP method: `[Net.Http.HttpMethod]::Put`, `[Net.Http.HttpMethod]::new('PUT')`, `'PUT'` (upper case; HOLE where unknown). */
function methodOf(src: string, from0: number, to0: number, bound: Bound): string {
  const [from, to] = trim(src, from0, to0);
  const text = src.slice(from, Math.min(to, from + 160));
  const named = /^\[[^\]]{0,60}httpmethod\s*\]\s*::\s*([A-Za-z]+)$/i.exec(text);
  if (named !== null) return named[1]!.toUpperCase();
  const made = constructorCall(src, from, to);
  const v = made !== null && made.ctor[0] !== undefined ? exprValue(src, made.ctor[0][0], made.ctor[0][1], bound) : exprValue(src, from, to, bound);
  return v.text.toUpperCase();
}
