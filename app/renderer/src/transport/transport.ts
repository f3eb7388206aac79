/**
 * What the views talk to: the contract's calls and events, nothing else. Two implementations —
 * Electron IPC through the preload bridge, and HTTP + WebSocket to `mlshield serve` — chosen at
 * start-up; the views cannot tell them apart.
 */
import type { CallArgs, CallName, CallResult, EventName, EventPayloads } from '../../../../contract/index.js';

export interface Transport {
  readonly kind: 'electron' | 'http';
  call<N extends CallName>(name: N, args: CallArgs<N>): Promise<CallResult<N>>;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** A dropped file's path (desktop only; null where the browser hides it). */
  pathForFile(file: File): string | null;
}

/** A failed call: `message` is written for the analyst (the main process or server chose it). */
export class CallError extends Error {}
