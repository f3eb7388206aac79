/**
 * Multipart forms Node code builds and sends, read as curl's `-F name=@path` (the run of
 * exec-interpreter-transfer-js.ts's readers): a WHATWG `FormData` (XMLHttpRequest Standard §4.3,
 * global since Node 18; undici's) or the form-data package's `new FormData()`, made once under a
 * name (`const f = new FormData()`), whose parts the text appends with `f.append(name, value[,
 * filename])` or `f.set(…)`. A part reads a file when its value is `fs.createReadStream(p)`,
 * `fs.readFileSync(p)`, `await fs.openAsBlob(p)` (Node 19.8+), or a `new Blob([…])` / `new
 * File([…], name)` of such bytes (also through a name assigned once). Only a form the text builds
 * counts: a `form` passed in, or a FormData with no file part, reads as any other body (no `-F`).
 * Bounded: MAX_PARTS file parts a form, one scan of the tokens per form name (remembered per
 * code text). Never throws.
 */
import type { TransferContext } from './exec-interpreter-transfer.js';
import { S_ATTR, S_CALL, type Chain, type ChainReader, type Word } from './exec-interpreter-transfer-path.js';
import { isName, isOp, TK_NAME, TK_NL } from './exec-interpreter-token.js';

/** File parts read from one form (and from the object an axios form method sends). */
export const MAX_PARTS = 8;
/** Packages whose `FormData` export is the WHATWG one (or a polyfill of it). */
const FORM_MODULES = new Set(['undici', 'node-fetch', 'formdata-node', 'formdata-polyfill']);
/** Packages whose `Blob` / `File` exports are the WHATWG ones (`require('buffer').Blob`). */
const BLOB_MODULES = new Set(['buffer', 'undici', 'node-fetch', 'fetch-blob', 'formdata-node']);
const APPENDS = new Set(['append', 'set']);
/** A built form's parts: the `-F` words of its file parts, and the INDIRECT_* bits of its other fields (0: the code spells them). */
export interface FormParts {
  files: Word[];
  how: number;
}
/** A form's parts by the form's name, per code text. */
const partsMemo = new WeakMap<ChainReader, Map<string, FormParts>>();

/** Whether a chain makes a form: `new FormData()` (global or imported), form-data's default export called. */
function makesForm(c: Chain): boolean {
  const s = c.steps;
  if (s.length < 2 || s.length > 3 || s[s.length - 1]!.k !== S_CALL || s[s.length - 2]!.k !== S_ATTR) return false;
  if (s.length === 2) return s[0]!.name === 'FormData' || (c.rooted && s[0]!.name === 'form-data');
  return c.rooted && s[1]!.name === 'FormData' && FORM_MODULES.has(s[0]!.name);
}

/** The name of the form a body expression is (`f`, form-data's `f.getBuffer()`), when the text builds it; else null. */
export function formName(ctx: TransferContext, range: [number, number] | undefined): string | null {
  if (range === undefined) return null;
  const ts = ctx.chains.ts;
  let [a, b] = range;
  while (a < b && ts[a]!.k === TK_NL) a++;
  while (b > a && ts[b - 1]!.k === TK_NL) b--;
  const buffer = b === a + 5 && isOp(ts[a + 1], '.') && isName(ts[a + 2], 'getBuffer') && isOp(ts[a + 3], '(') && isOp(ts[a + 4], ')');
  if (!isName(ts[a]) || (b !== a + 1 && !buffer)) return null;
  const r = ctx.chains.values.bindingOf(ts[a]!.v);
  const made = r === undefined ? null : ctx.chains.chain(r[0], r[1]);
  return made !== null && makesForm(made) ? ts[a]!.v : null;
}

/** A built form's parts: its file parts as `-F` words (`file=@/ckpt/m.pt`) in text order, and how its other fields are known. */
export function formParts(ctx: TransferContext, name: string): FormParts {
  let memo = partsMemo.get(ctx.chains);
  if (memo === undefined) partsMemo.set(ctx.chains, (memo = new Map()));
  const known = memo.get(name);
  if (known !== undefined) return known;
  const out: FormParts = { files: [], how: 0 };
  memo.set(name, out);
  const { ts, match } = ctx.chains;
  for (let i = 0; i + 3 < ts.length && out.files.length < MAX_PARTS; i++) {
    const t = ts[i]!;
    if (t.k !== TK_NAME || t.v !== name || !isOp(ts[i + 1], '.') || !isName(ts[i + 2]) || !APPENDS.has(ts[i + 2]!.v) || !isOp(ts[i + 3], '(')) continue;
    if (isOp(ts[i - 1], '.') || isOp(ts[i - 1], '?.')) continue;
    const close = Math.min(match[i + 3]!, ts.length);
    if (close <= i + 3) continue;
    const a = ctx.args({ k: S_CALL, name: '', a: i + 4, b: close });
    const key = ctx.word(a.pos[0]);
    const path = fileRead(ctx, a.pos[1]);
    if (path !== null) out.files.push([`${key[0]}=@${path[0]}`, key[1] | path[1]]);
    else out.how |= key[1] | ctx.word(a.pos[1])[1];
  }
  return out;
}

/**
 * The file a value's bytes are read from: what the transfer reader reads (`fs.readFileSync(p)`,
 * `fs.createReadStream(p)`, `fs.openAsBlob(p)`), or a `Blob` / `File` made of such bytes; else null.
 */
export function fileRead(ctx: TransferContext, range: [number, number] | undefined): Word | null {
  const f = ctx.fileOf(range);
  if (f !== null) return f.write ? null : f.path;
  const c = range === undefined ? null : ctx.chains.chain(range[0], range[1]);
  const s = c?.steps ?? [];
  const made = s[s.length - 1];
  const cls = s[s.length - 2];
  if (made?.k !== S_CALL || cls?.k !== S_ATTR || (cls.name !== 'Blob' && cls.name !== 'File')) return null;
  if (!(s.length === 2 || (s.length === 3 && c!.rooted && BLOB_MODULES.has(s[0]!.name)))) return null;
  const first = ctx.args(made).pos[0];
  if (first === undefined) return null;
  const ts = ctx.chains.ts;
  let open = first[0];
  while (open < first[1] && ts[open]!.k === TK_NL) open++;
  const close = ctx.chains.match[open]!;
  if (!isOp(ts[open], '[') || close <= open || close >= first[1]) return null;
  for (const item of ctx.chains.values.split(open + 1, close)) {
    const g = ctx.fileOf(item);
    if (g !== null) return g.write ? null : g.path;
  }
  return null;
}
