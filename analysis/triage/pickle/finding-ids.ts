/**
 * Every finding the static pickle analysis can raise, defined once (STYLE.md). Ids are stable
 * strings: they go into the case file, SARIF `ruleId`s and reports, so never rename one.
 */
import type { Severity } from '../severity.js';

export const PICKLE_FINDING_IDS = {
  // --- imports and calls (classify.ts, analyze.ts) ---
  /** A denylisted global (os.system, builtins.eval, subprocess, …). */
  importDangerous: 'pickle.import.dangerous',
  /** A global outside the checkpoint allowlist. */
  importSuspicious: 'pickle.import.suspicious',
  /** A global whose module or name could not be resolved statically (STACK_GLOBAL games). */
  importUnresolved: 'pickle.import.unresolved',
  /** Module or name with non-ASCII characters (NFKC lookalikes) or whitespace / control bytes. */
  importObfuscatedName: 'pickle.import.obfuscated-name',
  /** A call whose callee is not a plain import (the result of another call, a memo value…). */
  callDynamic: 'pickle.call.dynamic',
  /** A call argument that reads like shell or Python code (`__import__('os')`, `/bin/sh -c`). */
  callPayloadString: 'pickle.call.payload-string',
  /** BUILD applied to an imported module/class/function: setattr on a global (`__setstate__` game). */
  buildOnGlobal: 'pickle.build.on-global',
  /** APPEND/SETITEM/ADDITEMS applied to something that is not a container: a method call. */
  mutateNonContainer: 'pickle.mutate.non-container',
  /** A call result dropped (POP or left on the stack): a side effect with no data use. */
  discardedCall: 'pickle.call.discarded',
  /** EXT1/EXT2/EXT4: a global taken from the copyreg extension registry, unknowable statically. */
  extensionRegistry: 'pickle.ext.registry',
  /** PERSID/BINPERSID outside a PyTorch context (torch uses them for storages). */
  persistentId: 'pickle.persid',

  // --- stream-level tricks (analyze.ts) ---
  /** Bytes after STOP that are not a pickle. */
  dataAfterStop: 'pickle.stream.data-after-stop',
  /** A further complete pickle after STOP (several pickles in one stream). */
  multipleStreams: 'pickle.stream.multiple',
  /** A pickle hidden in a bytes/str argument (raw, base64 or hex). */
  nestedPickle: 'pickle.nested',
  /** Nesting deeper than the analysis bound; the innermost level was not analysed. */
  nestedDepthLimit: 'pickle.nested.depth-limit',
  /** PROTO seen more than once. */
  protoDuplicate: 'pickle.proto.duplicate',
  /** PROTO that is not the first opcode. */
  protoMisplaced: 'pickle.proto.misplaced',
  /** An opcode newer than the declared protocol (e.g. STACK_GLOBAL in a protocol-0 pickle). */
  protocolMismatch: 'pickle.proto.opcode-newer-than-protocol',

  // --- disassembly (disassemble.ts) ---
  unknownOpcode: 'pickle.disasm.unknown-opcode',
  truncatedArgument: 'pickle.disasm.truncated-argument',
  /** A counted length (bytes/str/long) beyond the end of the buffer or negative. */
  countedLengthOverflow: 'pickle.disasm.counted-length-overflow',
  /** A newline-terminated argument that does not parse (bad int, unquoted STRING, bad UTF-8…). */
  malformedArgument: 'pickle.disasm.malformed-argument',
  missingStop: 'pickle.disasm.missing-stop',
  /** FRAME length past the buffer, a frame opened inside a frame, or an opcode crossing a frame end. */
  frameMismatch: 'pickle.disasm.frame-mismatch',
  /** The opcode budget (maxOps) was exhausted. */
  opLimit: 'pickle.disasm.op-limit',

  // --- symbolic machine (symbolic.ts) ---
  stackUnderflow: 'pickle.vm.stack-underflow',
  /** An opcode that needs a MARK found none, or MARKs left open at STOP. */
  markImbalance: 'pickle.vm.mark-imbalance',
  /** GET of a memo index never PUT. */
  memoMiss: 'pickle.vm.memo-miss',
  /** PUT over an existing memo entry (pickle writers never reuse an index). */
  memoOverwrite: 'pickle.vm.memo-overwrite',
  /** Memo index so large that the C unpickler would allocate a huge table. */
  memoIndexHuge: 'pickle.vm.memo-index-huge',
  /** STACK_GLOBAL operands that are not str (bytes, int, bytearray: type confusion). */
  stackGlobalTypeConfusion: 'pickle.vm.stack-global-type-confusion',
  /** More than one value on the stack at STOP. */
  stackLeftover: 'pickle.vm.stack-leftover',
  /** An operand of the wrong shape (DICT with an odd item count, REDUCE args not a tuple…). */
  operandShape: 'pickle.vm.operand-shape',
} as const;

export type PickleFindingId = (typeof PICKLE_FINDING_IDS)[keyof typeof PICKLE_FINDING_IDS];

/** A located problem or verdict in a pickle. `offset` is the opcode's byte offset (null: stream-wide). */
export interface PickleIssue {
  id: PickleFindingId;
  severity: Severity;
  offset: number | null;
  message: string;
}
