/**
 * Carves protocol 2–5 pickles out of bytes of unknown structure (an archive this build cannot
 * open, e.g. a 7-Zip file with stored entries, or a blob appended to another format). A carve
 * starts at every PROTO opcode (0x80 0x02–0x05) and counts only when it disassembles cleanly to a
 * STOP. The total disassembly work is bounded, so adversarial input cannot make it quadratic.
 */
import { disassemble } from './disassemble.js';

export interface CarvedPickle {
  offset: number;
  /** Bytes up to and including STOP. */
  length: number;
  opCount: number;
}

export interface CarveOptions {
  /** Opcodes disassembled over all attempts (default 2,000,000). */
  opBudget?: number;
  /** Most pickles returned (default 64). */
  maxPickles?: number;
}

export function carvePickles(bytes: Uint8Array, opts: CarveOptions = {}): CarvedPickle[] {
  let budget = opts.opBudget ?? 2_000_000;
  const max = opts.maxPickles ?? 64;
  const out: CarvedPickle[] = [];
  let from = 0;
  while (budget > 0 && out.length < max) {
    const at = bytes.indexOf(0x80, from);
    if (at < 0 || at + 1 >= bytes.length) break;
    const proto = bytes[at + 1] as number;
    if (proto < 2 || proto > 5) { from = at + 1; continue; }
    const d = disassemble(bytes, { startOffset: at, maxOps: budget, maxTextDecode: 4096 });
    budget -= d.ops.length;
    if (d.stopOffset !== null && d.issues.length === 0 && d.ops.length >= 3) {
      out.push({ offset: at, length: d.endOffset - at, opCount: d.ops.length });
      from = d.endOffset;
    } else {
      from = at + 1;
    }
  }
  return out;
}
