/**
 * Files an exec downloads and then runs (MITRE T1105 Ingress Tool Transfer, then T1059): `curl -o
 * /tmp/x URL && chmod +x /tmp/x && /tmp/x`, `wget -q URL -P /tmp; sh /tmp/r.sh`, `Invoke-WebRequest
 * -Uri U -OutFile a.ps1; ./a.ps1`, `urllib.request.urlretrieve(U, "/tmp/p"); os.system("sh /tmp/p")`
 * — the two-step form of `curl URL | sh` (exec-pipelines.ts, `fedToShell`), which a pipe rule never
 * sees. Read over the commands of one canonical reading (exec-canonical.ts), in order: tool words
 * are basenames there, the rest of each command as written, interpreters' transfers already
 * rewritten as `curl -o FILE URL` (exec-interpreter-transfer*.ts).
 *
 * A fetch writes a file: curl `-o F` / `--output F` (`-sSLo F`, `-oF`, `--output=F`; `-O` /
 * `--remote-name`: the URL's last path segment, in `--output-dir`); wget `-O F` /
 * `--output-document=F` (`-O -` is stdout: the pipe form), else the URL's last segment, in `-P` /
 * `--directory-prefix`; aria2c `-o F` in `-d DIR`; Invoke-WebRequest / Invoke-RestMethod
 * `-OutFile F` (a parameter prefix of four letters or more, `-OutFile:F`).
 * A fetch that writes to its standard output (curl with no output option or `-o -`, wget `-O -`)
 * writes the file its output is redirected to (`curl -s URL > /tmp/k.sh`, `>>`, `>|`, `&>`; not
 * `2>`), or that a `tee` right after it writes (`curl URL | tee /tmp/i.sh`). A file moved,
 * copied, installed or linked (`mv`, `cp`, `install`, `ln`) is downloaded under its new path too.
 * An archive downloaded and unpacked (exec-unpack.ts: tar, unzip, 7z, jar from the file, from a
 * pipe after the fetch or from `< file`) makes a tree: every path under the directory it unpacks
 * into may be one of its files; a stream decompressor makes a file (`gunzip x.gz` writes `x`, `curl
 * URL | zcat > /tmp/x`). A pull is a download too, named by its tool (exec-pull-writes.ts
 * `pulledPaths`): a repository cloned (`git clone U /tmp/x && bash /tmp/x/run.sh` gives `git`), a
 * hub repository downloaded (`hf`, `huggingface-cli`), a tree fetched by wget (`-r`), rclone or mc,
 * a file copied down from a bucket (`aws s3 cp s3://b/x.sh /tmp/x.sh && sh /tmp/x.sh` gives `aws`).
 * A later command runs a download when its tool (past wrappers: sudo, nohup, env, timeout…) is the
 * file, or is a shell, `.` / `source`, an interpreter (python, perl, ruby, node, php, lua…) or
 * PowerShell (`-File`) whose script operand is the file. The tool word is the path written
 * (`toolPaths`; the canonical reading keeps its basename), a name alone a PATH lookup, which
 * never reaches a tree. Paths are placed against the working directory the script's `cd`s set
 * (exec-script-paths.ts: `cd /tmp && tar xzf k.tgz && cd k && ./xmrig` runs /tmp/k/xmrig), else
 * compare as written, `./` prefixes and repeated slashes aside; where either side has no
 * directory (a bare name), by last segment.
 *
 * Not read: a download run by a scheduler (cron, systemd) or loaded as a library, a tree's files
 * reached through a `cd` the words cannot follow (`cd "$D"`). Bounded by the reading's own
 * commands and MAX_FETCHED downloads. Never throws.
 */
import { baseName } from './exec-canonical.js';
import { operandsOf, stdinFile, stdoutTarget, toolArgs } from './exec-decode-stage.js';
import { interpreterLanguage, programOperand } from './exec-interpreter.js';
import { pulledPaths } from './exec-pull-writes.js';
import { changedDir, normalPath, placePath, samePath, underDir, type WorkDir } from './exec-script-paths.js';
import { SHELLS, shellScriptFile } from './exec-stdin-script.js';
import { STDIO, unpackOf } from './exec-unpack.js';
import { toolIndex, unwrap } from './exec-wrappers.js';
import { walkCurlWords } from './curl-options.js';
import { walkWgetWords } from './wget-options.js';

/** Files remembered per reading (a longer script's further downloads are not followed). */
export const MAX_FETCHED = 32;
/** Wrappers stepped over to find the tool a command runs (wrapperChain). */
const MAX_WRAPPERS = 8;

/** aria2c options that take a value as the next word. */
const ARIA2_VALUE_SHORT = new Set(['o', 'd', 'x', 's', 'k', 'j', 'l', 'i', 'U', 'm', 't']);

/** PowerShell's web cmdlets (and the aliases a reading may keep). */
const WEB_CMDLETS = new Set(['invoke-webrequest', 'invoke-restmethod', 'iwr', 'irm']);
/** The last path segment of a URL (its query and fragment aside), or null when it has none. */
function urlFileName(url: string): string | null {
  const scheme = url.indexOf('://');
  let rest = scheme >= 0 ? url.slice(scheme + 3) : url;
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = rest.slice(0, cut);
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  return name === '' || name === '.' || name === '..' ? null : name;
}

const inDir = (dir: string | null, name: string): string => (dir === null || dir === '' ? name : `${dir.replace(/\/+$/, '')}/${name}`);

/** Whether `w` is a URL operand: a scheme, or (curl and wget add http://) a host with a path. */
function isUrl(w: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(w) || /^[A-Za-z0-9.-]+(:\d+)?\/\S/.test(w);
}

/** The file a curl command writes, if it writes one. */
function curlOutput(words: readonly string[], t: number): string | null {
  let out: string | null = null;
  let remoteName = false;
  let dir: string | null = null;
  let url: string | null = null;
  walkCurlWords(
    words,
    t,
    (name, value, long) => {
      if (!long) {
        if (name === 'O') remoteName = true;
        else if (name === 'o' && value !== undefined) out = value;
      } else if (name === 'output' && value !== undefined) out = value;
      else if (name === 'output-dir' && value !== undefined) dir = value;
      else if (name === 'remote-name' || name === 'remote-name-all') remoteName = true;
      else if (name === 'url' && value !== undefined) url ??= value;
    },
    (w) => {
      if (w.startsWith('#')) return false; // a reading's note (`#urllib.urlretrieve`)
      if (url === null && isUrl(w)) url = w;
      return true;
    },
  );
  if (out !== null) return out === STDOUT ? STDOUT : inDir(dir, out);
  if (remoteName && url !== null) {
    const name = urlFileName(url);
    return name === null ? null : inDir(dir, name);
  }
  return url === null ? null : STDOUT;
}

/** The file a wget command writes, if it writes one (wget saves to the URL's name by default). */
function wgetOutput(words: readonly string[], t: number): string | null {
  let out: string | null = null;
  let dir: string | null = null;
  let url: string | null = null;
  let spider = false;
  walkWgetWords(
    words,
    t,
    (name, value, long) => {
      // `--spider` and `--delete-after` leave no file behind.
      if (long && (name === 'spider' || name === 'delete-after')) spider = true;
      if (value === undefined) return;
      if (long ? name === 'output-document' : name === 'O') out = value;
      else if (long ? name === 'directory-prefix' : name === 'P') dir = value;
    },
    (w) => {
      if (w.startsWith('#')) return false; // a reading's note
      if (url === null && isUrl(w)) url = w;
      return true;
    },
  );
  if (out !== null) return out;
  if (url === null || spider) return null;
  const name = urlFileName(url);
  return name === null ? null : inDir(dir, name);
}

/** The file an aria2c command writes, when it names one (`-o F`, in `-d DIR`). */
function aria2Output(words: readonly string[], t: number): string | null {
  let out: string | null = null;
  let dir: string | null = null;
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w.startsWith('--out=')) out = w.slice(6);
    else if (w.startsWith('--dir=')) dir = w.slice(6);
    else if (w.length === 2 && w[0] === '-' && ARIA2_VALUE_SHORT.has(w[1]!)) {
      const value = words[++k];
      if (w === '-o' && value !== undefined) out = value;
      else if (w === '-d' && value !== undefined) dir = value;
    } else if (w.startsWith('-o') && w.length > 2) out = w.slice(2);
    else if (w.startsWith('-d') && w.length > 2) dir = w.slice(2);
  }
  return out === null ? null : inDir(dir, out);
}

/** The file a PowerShell web cmdlet writes (`-OutFile F`, a prefix of four letters or more, `-OutFile:F`). */
function webCmdletOutput(words: readonly string[], t: number): string | null {
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w.length < 5 || w[0] !== '-') continue;
    const colon = w.indexOf(':');
    const name = w.slice(1, colon < 0 ? undefined : colon).toLowerCase();
    if (name.length < 4 || !'outfile'.startsWith(name)) continue;
    const value = colon < 0 ? words[k + 1] : w.slice(colon + 1);
    return value === undefined || value === '' ? null : value.replace(/^(['"])(.*)\1$/, '$2');
  }
  return null;
}

/** What a fetch writes when it writes its standard output (`-o -`, `-O -`, curl with no output option). */
const STDOUT = '-';

/** Commands that give a file a second path (`mv a b`, `cp a b`, `install -m 755 a b`, `ln -s a b`), and their options that take a value. */
const NEW_PATH_TOOLS = new Set(['mv', 'cp', 'install', 'ln']);
const NEW_PATH_VALUE_OPTIONS = new Set(['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix', '-t', '--target-directory']);

/** [source, destination] of a two-operand `mv` / `cp` / `install` / `ln`, else null (`-t DIR` read as the destination). */
function newPath(words: readonly string[], t: number): [string, string] | null {
  const { operands, target } = newPathOperands(words, t);
  if (target !== null) return operands.length === 1 ? [operands[0]!, `${target.replace(/\/+$/, '')}/`] : null;
  return operands.length === 2 ? [operands[0]!, operands[1]!] : null;
}

/** The operands of a `mv` / `cp` / `install` / `ln` at `t` (option values stepped over) and its `-t DIR` / `--target-directory` (null: none). */
export function newPathOperands(words: readonly string[], t: number): { operands: string[]; target: string | null } {
  // Redirections are words of the command as read: `mv a b 2>/dev/null` has two operands.
  const ws = operandsOf(words, t, false)!;
  const operands: string[] = [];
  let target: string | null = null;
  for (let k = 0; k < ws.length; k++) {
    const w = ws[k]!;
    if (w === '--') {
      operands.push(...ws.slice(k + 1));
      break;
    }
    if (w.length > 1 && w[0] === '-') {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (name === '-t' || name === '--target-directory') target = eq < 0 ? (ws[++k] ?? null) : w.slice(eq + 1);
      else if (eq < 0 && NEW_PATH_VALUE_OPTIONS.has(name)) k++;
      continue;
    }
    operands.push(w);
  }
  return { operands, target };
}

/** The fetch tools `fetchOutput` reads besides PowerShell's web cmdlets (WEB_CMDLETS). */
const FETCH_TOOLS = new Set(['curl', 'wget', 'aria2c']);

/** The file the fetch tool `name` at `t` writes (`-`: its standard output), or null (not a fetch tool, or no file). */
export function fetchOutput(words: readonly string[], t: number, name: string): string | null {
  switch (name) {
    case 'curl': return curlOutput(words, t);
    case 'wget': return wgetOutput(words, t);
    case 'aria2c': return aria2Output(words, t);
    default: return WEB_CMDLETS.has(name.toLowerCase()) ? webCmdletOutput(words, t) : null;
  }
}

/** Where the command find's `-exec` runs from `t` ends: its `;` or `+`, else the end of the words. */
function findCommandEnd(words: readonly string[], t: number): number {
  for (let i = t; i < words.length; i++) if (words[i] === ';' || words[i] === '+') return i;
  return words.length;
}

/**
 * The tool words a command runs through, from its first past each wrapper to the one that runs
 * (`sudo -u x timeout 5 curl …` gives the indices of sudo, timeout and curl), over a copy of its
 * words (unwrap rewrites a cmd.exe line in place: canonical commands stay as read), and where the
 * last one's words end: the end of the command, or the `;` / `+` of the find -exec that runs it.
 * `chain` is empty when the command runs no tool.
 */
export function wrapperChain(cmd: readonly string[]): { words: string[]; chain: number[]; end: number } {
  const words = cmd.slice();
  const chain: number[] = [];
  let end = words.length;
  let t = toolIndex(words);
  for (let k = 0; t < end; k++) {
    chain.push(t);
    if (k >= MAX_WRAPPERS) break;
    const name = baseName(words[t]!);
    const u = unwrap(words, t, name);
    if (u === null || u.script || u.next >= end) break;
    if (name === 'find') end = findCommandEnd(words, u.next);
    t = u.next;
  }
  return { words, chain, end };
}

/**
 * The index of the word a command runs, past its wrappers (wrapperChain), and that word's base
 * name ('' when the command runs none); with the chain and its end as wrapperChain gives them.
 */
export function runIndex(cmd: readonly string[]): { words: string[]; t: number; tool: string; chain: number[]; end: number } {
  const { words, chain, end } = wrapperChain(cmd);
  const t = chain.length > 0 ? chain[chain.length - 1]! : toolIndex(words);
  return { words, t, tool: t < words.length ? baseName(words[t]!) : '', chain, end };
}

/** The words of a command up to its end as runIndex gives it (a find -exec's command ends at its `;` or `+`). */
export function ownWords(run: { readonly words: string[]; readonly end: number }): string[] {
  return run.end < run.words.length ? run.words.slice(0, run.end) : run.words;
}

/**
 * The script file a shell, `.` / `source`, an interpreter or PowerShell at `t` runs (their options
 * read as the readings read them: exec-stdin-script.ts, exec-interpreter-options.ts); null when it
 * runs inline code, a module, stdin or nothing.
 */
function scriptOperand(words: readonly string[], t: number, name: string): string | null {
  if (name === '.' || name === 'source') return words[t + 1] ?? null;
  if (SHELLS.has(name)) return shellScriptFile(words, t);
  const lang = interpreterLanguage(name);
  if (lang === null) return null;
  // `deno run FILE`, `bun run FILE` / `bun x FILE`: the file after the subcommand, its options read
  // as Node's (the readings take deno and bun's own operand for a subcommand, so no program file).
  if (lang === 'js' && (name.startsWith('deno') || name.startsWith('bun')) && (words[t + 1] === 'run' || words[t + 1] === 'x')) {
    return programOperand(['node', ...words.slice(t + 2)], 0, lang) ?? null;
  }
  return programOperand(words, t, lang) ?? null;
}

/** A download: a file, or a tree (an archive unpacked: every path under `path` may be one of its files). */
interface Fetched {
  path: string;
  tool: string;
  tree: boolean;
}

/**
 * The fetch and pull tools (curl, wget, aria2c, Invoke-WebRequest…; git, hf, aws…) whose downloaded
 * file a later command of `commands` runs, each once, in the order of their first such run.
 * `pipesOut`: the indices of commands whose output the next one reads through a pipe; `toolPaths`:
 * per command index, its tool word as written when that was a path (`/tmp/k/run`; the canonical
 * reading keeps its basename).
 */
export function fetchedThenRun(commands: readonly (readonly string[])[], pipesOut: readonly number[] = [], toolPaths: ReadonlyMap<number, string> | null = null): string[] {
  const fetched: Fetched[] = [];
  const out: string[] = [];
  /** The tool of a fetch whose unredirected output the next command reads (a `tee` there writes the download, tar unpacks it). */
  let toStdout: string | null = null;
  let cwd: WorkDir = '';
  /** A path as the current command names it: placed against the working directory where the words say which. */
  const at = (p: string): string => placePath(cwd, p) ?? normalPath(p);
  for (let c = 0; c < commands.length; c++) {
    const cmd = commands[c]!;
    if (cmd.length === 0) continue;
    const { words, t, tool } = runIndex(cmd);
    const piped = toStdout;
    toStdout = null;
    if (t >= words.length) continue;
    if (tool === 'cd' || tool === 'pushd') {
      cwd = changedDir(cwd, words, t);
      continue;
    }
    if (fetched.length > 0) {
      const script = scriptOperand(words, t, tool);
      const written = toolPaths?.get(c);
      for (const f of fetched) {
        if (out.includes(f.tool)) continue;
        // A tool run by its name alone is looked up on PATH, never in an unpacked tree.
        const runsFile = written === undefined ? !f.tree && samePath(tool, f.path) : fetchedAs(f, at(written));
        if (runsFile || (script !== null && fetchedAs(f, at(script)))) out.push(f.tool);
      }
      const moved = NEW_PATH_TOOLS.has(tool) ? newPath(words, t) : null;
      const from = moved === null ? null : origin(fetched, at(moved[0]));
      if (from !== null) {
        const [src, dest] = moved!;
        // A destination that may be a directory keeps the name (`mv /tmp/a /usr/local/bin`); one written `dir/` is one.
        if (!dest.endsWith('/')) remember(fetched, at(dest), from);
        remember(fetched, at(inDir(dest, baseName(src))), from);
      }
    }
    if (piped !== null && tool === 'tee') {
      for (const f of operandsOf(words, t, false)!) if (!f.startsWith('-')) remember(fetched, at(f), piped);
    }
    const unpack = unpackOf(toolArgs(words, t, tool), 0, tool);
    if (unpack !== null) {
      const stdin = stdinFile(words);
      const source = unpack.archive !== STDIO ? origin(fetched, at(unpack.archive)) : stdin !== null ? origin(fetched, at(stdin)) : piped;
      if (source === null) continue;
      if (unpack.kind === 'tree') {
        const into = unpack.into === null ? cwd : placePath(cwd, unpack.into);
        if (into !== null) remember(fetched, into, source, true);
      } else if (unpack.out !== STDIO) remember(fetched, at(unpack.out), source);
      else followStdout(words, t, c, source);
      continue;
    }
    // A pull or a bucket copied down (exec-pull-writes.ts `pulledPaths`, which reads them without redirections): its files, named by its tool.
    const pulled = pulledPaths(words, t, tool);
    for (const p of pulled) remember(fetched, at(p.path), tool, p.tree);
    if (pulled.length > 0 || (!FETCH_TOOLS.has(tool) && !WEB_CMDLETS.has(tool.toLowerCase()))) continue;
    // Redirections are words of the command as read: the fetch's options are read without them.
    const file = fetchOutput(toolArgs(words, t, tool), 0, tool);
    if (file === STDOUT) followStdout(words, t, c, tool);
    else if (file !== null) remember(fetched, at(file), tool);
  }
  return out;

  /** Output written to standard output: the file it is redirected to, else the next command's input through a pipe. */
  function followStdout(words: readonly string[], t: number, c: number, tool: string): void {
    const target = stdoutTarget(words, t);
    if (target !== null) remember(fetched, at(target), tool);
    else if (pipesOut.includes(c)) toStdout = tool;
  }
}

/** Whether the placed path `p` is the download `f`, or lies in its tree. */
function fetchedAs(f: Fetched, p: string): boolean {
  return f.tree ? underDir(p, f.path) : samePath(p, f.path);
}

/** The fetch tool the placed path `p` came from (a download, or a file of an unpacked one), or null. */
function origin(fetched: readonly Fetched[], p: string): string | null {
  for (const f of fetched) if (fetchedAs(f, p)) return f.tool;
  return null;
}

function remember(fetched: Fetched[], path: string, tool: string, tree = false): void {
  if (fetched.length < MAX_FETCHED && (tree || (path !== '' && path !== '/dev/null'))) fetched.push({ path, tool, tree });
}
