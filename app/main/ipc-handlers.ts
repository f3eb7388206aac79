/**
 * Registers exactly the contract's calls on an `ipcMain`-like object. Each handler checks the
 * sender is our own page, validates the argument (dispatchCall → zod) and answers with an
 * envelope, because Electron flattens thrown errors into "Error invoking remote method…".
 */
import { CALL_NAMES, callChannel, type Envelope } from '../../contract/index.js';
import { callErrorMessage, dispatchCall, type CallHandlers } from '../../analysis/service/contract-handlers.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export function registerContractHandlers(
  ipcMain: IpcMainLike,
  handlers: CallHandlers,
  isTrustedSender: (url: string) => boolean,
): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), async (event, args): Promise<Envelope<unknown>> => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) return { ok: false, error: 'refused: the request did not come from the workbench window' };
      try {
        return { ok: true, value: (await dispatchCall(handlers, name, args)) ?? null };
      } catch (err) {
        return { ok: false, error: callErrorMessage(err) };
      }
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(callChannel(name));
  };
}
