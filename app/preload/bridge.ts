/**
 * Builds the `window.mlshield` object from the contract's lists: `call` accepts only CALLS names,
 * `on` only EVENTS names, and each maps to its own prefixed IPC channel (VS Code's preload
 * rejects channels without its prefix; Bruno's generic invoke is what this avoids).
 */
import { callChannel, eventChannel, isCallName, isEventName, type Envelope, type MlshieldBridge } from '../../contract/index.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

export function buildBridge(ipc: IpcRendererLike, webUtils: WebUtilsLike): MlshieldBridge {
  return {
    async call(name, args) {
      if (!isCallName(name)) throw new Error(`'${String(name).slice(0, 64)}' is not a call of the MLShield contract`);
      const envelope = (await ipc.invoke(callChannel(name), args ?? {})) as Envelope<never>;
      if (!envelope || typeof envelope !== 'object') throw new Error('malformed reply from the main process');
      if (envelope.ok) return envelope.value;
      throw new Error(envelope.error);
    },
    on(event, cb) {
      if (!isEventName(event)) throw new Error(`'${String(event).slice(0, 64)}' is not an event of the MLShield contract`);
      const channel = eventChannel(event);
      // The IpcRendererEvent (with its sender) never reaches the page: only the payload does.
      const listener = (_e: unknown, payload: unknown): void => cb(payload as never);
      ipc.on(channel, listener);
      return () => {
        ipc.removeListener(channel, listener);
      };
    },
    pathForFile: (file) => webUtils.getPathForFile(file),
  };
}
