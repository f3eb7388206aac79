/** Transport over the preload bridge (`window.mlshield`, exposed by app/preload via contextBridge). */
import type { MlshieldBridge } from '../../../../contract/index.js';
import { CallError, type Transport } from './transport.js';

export function electronTransport(bridge: MlshieldBridge): Transport {
  return {
    kind: 'electron',
    async call(name, args) {
      try {
        return await bridge.call(name, args);
      } catch (err) {
        // Electron prefixes "Error invoking remote method '…': Error: "; keep the sentence only.
        const msg = err instanceof Error ? err.message : String(err);
        throw new CallError(msg.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, ''));
      }
    },
    on: (event, cb) => bridge.on(event, cb),
    pathForFile: (file) => {
      const p = bridge.pathForFile(file);
      return p === '' ? null : p;
    },
  };
}
