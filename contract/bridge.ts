/**
 * The one global the preload exposes (`window.mlshield`), typed from CALLS and EVENTS. The
 * renderer's Electron transport uses this type; the preload builds the object from the lists.
 */
import type { CallArgs, CallName, CallResult } from './calls.js';
import type { EventName, EventPayloads } from './events.js';

/** Result envelope across IPC: Electron mangles thrown errors, so handlers return this instead. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: string };

export interface MlshieldBridge {
  call<N extends CallName>(name: N, args: CallArgs<N>): Promise<CallResult<N>>;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** Path of a dropped File (Electron's webUtils.getPathForFile): drag-and-drop of bundles and cases. */
  pathForFile(file: File): string;
}

/** The keys of the exposed object, checked by the preload test. */
export const BRIDGE_KEYS = ['call', 'on', 'pathForFile'] as const;
