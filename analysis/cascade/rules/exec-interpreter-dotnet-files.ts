/**
 * The files .NET calls in PowerShell text write, for `attrs.exec.persists` (exec-persistence.ts
 * places them), as exec-interpreter-file-writes.ts reads other languages' calls (MITRE T1053.003,
 * T1098.004, T1546.004 from `[IO.File]::AppendAllText("$HOME/.bashrc", …)`). A path is written by:
 * - `[IO.File]::WriteAllText` / `WriteAllBytes` / `WriteAllLines` / `AppendAllText` /
 *   `AppendAllLines` / `Create` / `CreateText` / `AppendText` / `OpenWrite` (their first argument),
 *   `Open(p, mode[, access])` when the mode makes or extends the file (`Create`, `CreateNew`,
 *   `OpenOrCreate`, `Append`, `Truncate`) or the access writes;
 * - `[IO.File]::Copy` / `Move` / `Replace` (the destination, their second argument);
 *   `CreateSymbolicLink(link, target)` of `File` or `Directory` (the link);
 * - a `StreamWriter` or `FileStream` made on a path: `New-Object IO.StreamWriter(p)`,
 *   `[IO.StreamWriter]::new(p)`, a FileStream by its mode as `Open`'s.
 * Type names as exec-interpreter-dotnet-expr.ts `typeName` writes them, `IO.` optional (`using
 * namespace System.IO`). The path is the argument's value (HOLE where known only at run time).
 */
import type { CallsRead } from './exec-interpreter-calls.js';
import { MAX_WRITES } from './exec-interpreter-file-writes.js';
import type { Val } from './exec-interpreter-dotnet-expr.js';
import { pushWrittenRuns } from './exec-interpreter-powershell-words.js';
import { onlyHoles } from './exec-interpreter-token.js';

/** `[IO.File]` methods: the argument holding the path written. */
const FILE_METHODS: ReadonlyMap<string, number> = new Map([
  ...['writealltext', 'writeallbytes', 'writealllines', 'appendalltext', 'appendalllines', 'create', 'createtext', 'appendtext', 'openwrite', 'createsymboliclink'].map((m) => [m, 0] as const),
  ...['copy', 'move', 'replace'].map((m) => [m, 1] as const),
]);
const FILE_TYPES = new Set(['io.file', 'file']);
const DIRECTORY_TYPES = new Set(['io.directory', 'directory']);
const WRITER_TYPES = new Set(['io.streamwriter', 'streamwriter']);
const STREAM_TYPES = new Set(['io.filestream', 'filestream']);
/** FileMode values that make, extend or empty the file; a FileAccess with Write. */
const WRITE_MODE = /\b(create|createnew|openorcreate|append|truncate)\b/i;
const WRITE_ACCESS = /write/i;

/** A call's arguments: each one's value and source text. */
export type DotNetArgs = ReadonlyArray<{ val: Val; src: string }>;

/** `[type]::method(…)` (`args` reads its arguments, called only for a writer), when it writes a file: the path added to `out.writes`. */
export function dotNetStaticWrite(type: string, method: string, args: () => DotNetArgs, out: CallsRead): void {
  if (FILE_TYPES.has(type)) {
    if (method === 'open') return opened(args(), out);
    const at = FILE_METHODS.get(method);
    if (at === undefined) return;
    const a = args();
    add(a[at]?.val, out);
    // A text written whole into a place that runs it: what it will run there.
    if (method === 'writealltext' || method === 'appendalltext') pushWrittenRuns(out, a[0]?.val.text, a[1]?.val.text, a[1]?.val.how ?? 0);
  } else if (DIRECTORY_TYPES.has(type) && method === 'createsymboliclink') add(args()[0]?.val, out);
  else if (method === 'new' && (WRITER_TYPES.has(type) || STREAM_TYPES.has(type))) dotNetConstructedWrite(type, args(), out);
}

/** A StreamWriter or FileStream made with `args` (`New-Object`, `::new`): the path it writes. */
export function dotNetConstructedWrite(type: string, args: DotNetArgs, out: CallsRead): void {
  if (WRITER_TYPES.has(type)) add(args[0]?.val, out);
  else if (STREAM_TYPES.has(type)) opened(args, out);
}

/** `Open(path, mode[, access])` / `FileStream(path, mode[, access])`: written when the mode or the access says so. */
function opened(args: DotNetArgs, out: CallsRead): void {
  const mode = args[1];
  const access = args[2];
  const writes = (mode !== undefined && (WRITE_MODE.test(mode.src) || WRITE_MODE.test(mode.val.text))) || (access !== undefined && (WRITE_ACCESS.test(access.src) || WRITE_ACCESS.test(access.val.text)));
  if (writes) add(args[0]?.val, out);
}

function add(v: Val | undefined, out: CallsRead): void {
  if (v === undefined || onlyHoles(v.text)) return;
  const writes = (out.writes ??= []);
  if (writes.length < MAX_WRITES && !writes.includes(v.text)) writes.push(v.text);
}
