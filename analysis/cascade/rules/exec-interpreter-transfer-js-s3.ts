/**
 * The AWS SDK for JavaScript's S3 transfers read as the aws CLI runs that move the same data
 * (exec-interpreter-transfer.ts says why a library call is a run):
 * - v3 commands a client sends (`client.send(new PutObjectCommand({Bucket, Key, Body}))`,
 *   `UploadPartCommand`; a command in a name assigned once too) and the aggregated client's
 *   methods (`new S3({}).putObject({…})`);
 * - `@aws-sdk/lib-storage`'s `new Upload({client, params: {Bucket, Key, Body}}).done()`;
 * - v2: `new AWS.S3().upload({Bucket, Key, Body})` / `putObject(…)` (`AWS` or `require('aws-sdk')`).
 * Classes are known under any local name the code imports them as (`import { PutObjectCommand as
 * P } from '@aws-sdk/client-s3'`: exec-interpreter-transfer-js-imports.ts).
 * An upload → `aws s3 cp SRC s3://B/K #PutObjectCommand`, SRC the file Body reads
 * (`fs.createReadStream(p)`, `fs.readFileSync(p)`), else `-` (stdin: data from memory);
 * `GetObjectCommand` / `getObject` → `aws s3api get-object --bucket B --key K -` (a download).
 * Commands are known by the SDK's class names; `x.send(y)` of anything else is nothing. Never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, dictOf, s3DownloadRun, s3UploadRun, S_ATTR, S_CALL, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';

const COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand', 'GetObjectCommand']);
const S3_CLIENTS = new Set(['S3']);
/** Client methods (v2, and v3's aggregated `S3` client) → the command they send. */
const METHODS = new Map([['upload', 'PutObjectCommand'], ['putObject', 'PutObjectCommand'], ['uploadPart', 'UploadPartCommand'], ['getObject', 'GetObjectCommand']]);
/** An options object's entries. */
const options = (ctx: TransferContext, range: [number, number] | undefined): Map<string, [number, number]> => dictOf(ctx.chains, range);

/** The S3 transfer the JavaScript call `c(…)` makes, or null. */
export function s3Transfer(ctx: TransferContext, c: Chain, call: Step): Transfer | null {
  const s = c.steps;
  const fn = s[s.length - 1]!.name;
  const a = ctx.args(call);
  if (fn === 'send' && s.length >= 2 && a.pos[0] !== undefined) {
    const cmd = ctx.chains.chain(a.pos[0][0], a.pos[0][1]);
    const made = cmd?.steps[cmd.steps.length - 1];
    const name = cmd?.steps[cmd.steps.length - 2];
    if (made?.k !== S_CALL || name?.k !== S_ATTR || !COMMANDS.has(name.name) || !fromSdk(cmd!)) return null;
    return object(ctx, name.name, options(ctx, ctx.args(made).pos[0]), name.name);
  }
  if (fn === 'done' && s.length >= 3 && s[s.length - 2]!.k === S_CALL && s[s.length - 3]!.name === 'Upload' && fromSdk(c)) {
    const params = options(ctx, options(ctx, ctx.args(s[s.length - 2]!).pos[0]).get('params'));
    return object(ctx, 'PutObjectCommand', params, 'lib-storage.Upload');
  }
  const command = METHODS.get(fn);
  const made = command === undefined ? null : callNamed(c, S3_CLIENTS);
  const k = made === null ? -1 : s.indexOf(made);
  // v3's aggregated client: `S3` itself, or imported from its package (`import { S3 as C } from '@aws-sdk/client-s3'`).
  const v3 = k === 1 || (k === 2 && s[0]!.name === '@aws-sdk/client-s3');
  if (v3 || (k >= 2 && (s[k - 2]!.name === 'AWS' || s[k - 2]!.name === 'aws-sdk'))) return object(ctx, command!, options(ctx, a.pos[0]), `${v3 ? 'S3' : 'AWS.S3'}.${fn}`);
  return null;
}

/** Whether a class is the SDK's: a global name, or imported from an AWS SDK package (not `import { PutObjectCommand } from './fake.js'`). */
const fromSdk = (c: Chain): boolean => !c.rooted || c.steps[0]!.name.startsWith('@aws-sdk/') || c.steps[0]!.name === 'aws-sdk';

/** The run of a command on the object `Bucket` / `Key` name, its `Body` read as SRC. */
function object(ctx: TransferContext, command: string, opts: ReadonlyMap<string, [number, number]>, marker: string): Transfer {
  const b = ctx.word(opts.get('Bucket'));
  const k = ctx.word(opts.get('Key'));
  const m: Word = [`#${marker}`, 0];
  if (command === 'GetObjectCommand') return { words: s3DownloadRun(b, k, ['-', 0], m) };
  const f = ctx.fileOf(opts.get('Body'));
  const src: Word = f !== null && !f.write ? f.path : ['-', 0];
  return { words: s3UploadRun(src, b, k, m) };
}
