/**
 * Does a byte string parse as a pickle opcode stream (CPython Lib/pickletools.py opcode table,
 * protocols 0–5)? Walks opcodes and checks each argument the way the unpickler would read it,
 * without building any object. Used for sniffing only: triage disassembles properly.
 */

/** Argument layout per opcode: fixed byte count, length-prefixed (prefix bytes), or text lines. */
type Arg =
  | { kind: 'none' }
  | { kind: 'fixed'; n: number }
  | { kind: 'counted'; prefix: 1 | 4 | 8 }
  | { kind: 'line'; check: (s: string) => boolean }
  | { kind: 'lines2' };

const NONE: Arg = { kind: 'none' };
const decimal = (s: string): boolean => /^[+-]?\d+$/.test(s);
const OPS = new Map<number, Arg>();
const set = (chars: string, arg: Arg): void => {
  for (const c of chars) OPS.set(c.charCodeAt(0), arg);
};
set('(.012NQRabd}el]ost)u', NONE);
set('I', { kind: 'line', check: (s) => decimal(s) || s === '00' || s === '01' });
set('L', { kind: 'line', check: (s) => /^[+-]?\d+L?$/.test(s) });
set('F', { kind: 'line', check: (s) => /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf|nan)$/i.test(s) });
set('S', { kind: 'line', check: (s) => s.length >= 2 && (s[0] === "'" || s[0] === '"') && s[s.length - 1] === s[0] });
set('V', { kind: 'line', check: () => true });
set('P', { kind: 'line', check: (s) => /^[\x20-\x7e]*$/.test(s) });
set('pg', { kind: 'line', check: decimal });
set('ci', { kind: 'lines2' });
set('K', { kind: 'fixed', n: 1 });
set('M', { kind: 'fixed', n: 2 });
set('J', { kind: 'fixed', n: 4 });
set('G', { kind: 'fixed', n: 8 });
set('hq', { kind: 'fixed', n: 1 });
set('jr', { kind: 'fixed', n: 4 });
set('UC', { kind: 'counted', prefix: 1 });
set('TXB', { kind: 'counted', prefix: 4 });
// Protocol 2+
OPS.set(0x80, { kind: 'fixed', n: 1 }); // PROTO
for (const op of [0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98]) OPS.set(op, NONE);
OPS.set(0x82, { kind: 'fixed', n: 1 }); // EXT1
OPS.set(0x83, { kind: 'fixed', n: 2 }); // EXT2
OPS.set(0x84, { kind: 'fixed', n: 4 }); // EXT4
OPS.set(0x8a, { kind: 'counted', prefix: 1 }); // LONG1
OPS.set(0x8b, { kind: 'counted', prefix: 4 }); // LONG4
OPS.set(0x8c, { kind: 'counted', prefix: 1 }); // SHORT_BINUNICODE
OPS.set(0x8d, { kind: 'counted', prefix: 8 }); // BINUNICODE8
OPS.set(0x8e, { kind: 'counted', prefix: 8 }); // BINBYTES8
OPS.set(0x96, { kind: 'counted', prefix: 8 }); // BYTEARRAY8
OPS.set(0x95, { kind: 'fixed', n: 8 }); // FRAME

/** Opcodes that can start a pickle: they push something onto an empty stack. */
const FIRST = new Set<number>([...'(]})cVSXTUIJKMLFGNPCB'].map((c) => c.charCodeAt(0)).concat([0x80, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x96]));
const STOP = 0x2e;
const GLOBAL = 0x63;
const MAX_OPS = 20_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const dottedName = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * True when `b` reads as a pickle: every opcode is known and well-formed up to STOP, or up to the
 * end of `b` when the stream starts like a real pickle (PROTO, or a well-formed GLOBAL/INST) or has
 * gone on for many opcodes. A truncated pickle (end of the sniffed head) therefore still counts.
 */
export function looksLikePickle(b: Uint8Array): boolean {
  if (b.length === 0 || !FIRST.has(b[0]!)) return false;
  let pos = 0;
  let ops = 0;
  const strongStart = b[0] === 0x80 || b[0] === GLOBAL;
  while (ops < MAX_OPS) {
    if (pos >= b.length) return strongStart || ops >= 8;
    const op = b[pos]!;
    const arg = OPS.get(op);
    if (!arg) return false;
    pos++;
    ops++;
    if (op === STOP) return ops > 1;
    switch (arg.kind) {
      case 'none':
        break;
      case 'fixed':
        if (op === 0x80 && pos < b.length && b[pos]! > 5) return false;
        pos += arg.n;
        break;
      case 'counted': {
        if (pos + arg.prefix > b.length) return strongStart || ops >= 8;
        let n = 0;
        for (let i = arg.prefix - 1; i >= 0; i--) n = n * 256 + b[pos + i]!;
        if (arg.prefix === 4 && n > 0x7fffffff) return false; // BINSTRING's length is signed
        pos += arg.prefix + n;
        break;
      }
      case 'line': {
        // Arguments are ASCII (INT, FLOAT, PUT…) or raw-unicode-escape (UNICODE): read them as latin-1.
        const nl = b.indexOf(0x0a, pos);
        if (nl === -1) return strongStart || ops >= 8;
        if (!arg.check(latin1(b, pos, nl))) return false;
        pos = nl + 1;
        break;
      }
      case 'lines2': {
        const mod = readLine(b, pos);
        if (mod === null) return strongStart || ops >= 8;
        if (mod.text === null || !dottedName.test(mod.text)) return false;
        const name = readLine(b, mod.next);
        if (name === null) return strongStart || ops >= 8;
        if (name.text === null || !dottedName.test(name.text)) return false;
        pos = name.next;
        break;
      }
    }
  }
  return true;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** A `\n`-terminated line (UTF-8) from `at`; null when the bytes end first; text null when not UTF-8. */
function readLine(b: Uint8Array, at: number): { text: string | null; next: number } | null {
  const nl = b.indexOf(0x0a, at);
  if (nl === -1) return null;
  let text: string | null;
  try {
    text = utf8.decode(b.subarray(at, nl));
  } catch {
    text = null;
  }
  return { text, next: nl + 1 };
}
