/**
 * Mail with a file attached, sent through Python's smtplib, read as the curl run that sends the
 * same mail (MITRE T1048.003, exfiltration over an unencrypted non-C2 protocol; curl speaks SMTP:
 * `curl -T FILE smtp://HOST[:PORT] --mail-rcpt RCPT`), as exec-interpreter-transfer.ts reads other
 * library transfers: `smtplib.SMTP(h[, port])` (`SMTP_SSL` → `smtps://`, `LMTP`) sending with
 * `send_message(msg[, from_addr, to_addrs])` or `sendmail(from_addr, to_addrs, msg)`, where the
 * code attaches a file's content to a message — `msg.add_attachment(open(p, 'rb').read(), …)`
 * (email.message.EmailMessage), `MIMEApplication(open(p, 'rb').read())` / `MIMEImage` /
 * `MIMEAudio`, `part.set_payload(f.read())` (email.mime.base.MIMEBase) — → `curl -T p
 * smtp://h:port --mail-rcpt R #smtplib.send_message`. R is `to_addrs` where the call spells it (a
 * list's first item), else what `msg['To'] = …` assigns, else HOLE.
 *
 * A mail with no file attached (a job's "training done" note) moves no file: it is not read.
 * Which message holds the attachment is not followed: code that attaches a file and sends mail is
 * read as mailing that file (the first one attached). Bounded: one linear scan of the tokens per
 * code text (kept); never throws.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { callNamed, S_CALL, wordOf, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { expressionEnd } from './exec-interpreter-bindings.js';
import { TK_NAME, TK_OP, TK_STR } from './exec-interpreter-token.js';
import { V_LIST } from './exec-interpreter-value.js';

const SERVERS = new Set(['SMTP', 'SMTP_SSL', 'LMTP']);
/** Calls that attach data to a message, and the keyword their data may be passed as. */
const ATTACHERS = new Map([['add_attachment', 'obj'], ['set_payload', 'payload'], ['MIMEApplication', '_data'], ['MIMEImage', '_imagedata'], ['MIMEAudio', '_audiodata']]);

interface Mail {
  /** The first file attached. */
  file: Word | null;
  /** What `msg['To'] = …` assigns first. */
  to: [number, number] | undefined;
}
const scanned = new WeakMap<TransferContext, Mail>();

/** The mail that the smtplib call `c(…)` (`fn` its method) sends with a file attached, or null. */
export function smtpTransfer(ctx: TransferContext, c: Chain, fn: string, call: Step): Transfer | null {
  if (fn !== 'send_message' && fn !== 'sendmail') return null;
  const server = callNamed(c, SERVERS);
  let mail = scanned.get(ctx);
  if (mail === undefined) scanned.set(ctx, (mail = scan(ctx)));
  if (server === null || mail.file === null) return null;
  const s = ctx.args(server);
  const host = ctx.word(s.pos[0] ?? s.kw.get('host'));
  const port = s.pos[1] ?? s.kw.get('port');
  const p: Word = port === undefined ? ['', 0] : ctx.word(port);
  const tls = c.steps[c.steps.indexOf(server) - 1]!.name === 'SMTP_SSL' || p[0] === '465';
  const url: Word = [`${tls ? 'smtps' : 'smtp'}://${host[0]}${p[0] === '' ? '' : `:${p[0]}`}`, host[1] | p[1]];
  const a = ctx.args(call);
  const to = a.kw.get('to_addrs') ?? a.pos[fn === 'sendmail' ? 1 : 2] ?? mail.to;
  const v = to === undefined ? undefined : ctx.chains.values.value(to[0], to[1]);
  const rcpt = wordOf(v?.k === V_LIST ? v.items[0] : v);
  return { words: [['curl', 0], ['-T', 0], mail.file, url, ['--mail-rcpt', 0], rcpt, [`#smtplib.${fn}`, 0]] };
}

/** The first file attached in the code and the first `msg['To']` assigned. */
function scan(ctx: TransferContext): Mail {
  const { ts, match } = ctx.chains;
  const out: Mail = { file: null, to: undefined };
  for (let i = 0; i + 1 < ts.length && (out.file === null || out.to === undefined); i++) {
    const t = ts[i]!;
    if (t.k === TK_NAME && out.file === null && ts[i + 1]!.k === TK_OP && ts[i + 1]!.v === '(') {
      const kw = ATTACHERS.get(t.v);
      if (kw === undefined) continue;
      const a = ctx.args({ k: S_CALL, name: '', a: i + 2, b: Math.min(match[i + 1]!, ts.length) });
      const f = ctx.fileOf(a.pos[0] ?? a.kw.get(kw));
      if (f !== null && !f.write) out.file = f.path;
    } else if (t.k === TK_OP && t.v === '[' && out.to === undefined && ts[i + 1]!.k === TK_STR && ts[i + 1]!.v.toLowerCase() === 'to') {
      const eq = ts[i + 3];
      if (ts[i + 2]?.v === ']' && eq?.k === TK_OP && eq.v === '=') out.to = [i + 4, expressionEnd(ts, match, i + 4, 'python')];
    }
  }
  return out;
}
