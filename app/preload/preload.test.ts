import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_KEYS, CALL_NAMES, EVENTS, callChannel, eventChannel, type MlshieldBridge } from '../../contract/index.js';

const exposed: Record<string, unknown> = {};
const invoked: { channel: string; args: unknown[] }[] = [];
const listeners = new Map<string, ((e: unknown, p: unknown) => void)[]>();

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      exposed[key] = api;
    },
  },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return channel.endsWith('case.summary') ? { ok: false, error: 'No case is open.' } : { ok: true, value: `reply:${channel}` };
    },
    on: (channel: string, l: (e: unknown, p: unknown) => void) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
    removeListener: (channel: string, l: (e: unknown, p: unknown) => void) => listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)),
  },
  webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
}));

describe('preload', () => {
  let bridge: MlshieldBridge;
  beforeEach(async () => {
    await import('./index.js');
    bridge = exposed.mlshield as MlshieldBridge;
    invoked.length = 0;
  });

  it('exposes one global, mlshield, with exactly the bridge keys', () => {
    expect(Object.keys(exposed)).toEqual(['mlshield']);
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS].sort());
  });

  it('maps every contract call to its own channel and nothing else', async () => {
    for (const name of CALL_NAMES) {
      if (name === 'case.summary') continue;
      await expect(bridge.call(name, {} as never)).resolves.toBe(`reply:${callChannel(name)}`);
    }
    expect(invoked.map((i) => i.channel).sort()).toEqual(CALL_NAMES.filter((n) => n !== 'case.summary').map(callChannel).sort());
    await expect(bridge.call('fs.readFile' as never, {} as never)).rejects.toThrow(/not a call of the MLShield contract/);
    await expect(bridge.call('case.summary', {})).rejects.toThrow('No case is open.');
  });

  it('subscribes only to contract events, hands over the payload only, and unsubscribes', () => {
    const got: unknown[] = [];
    for (const ev of EVENTS) {
      const off = bridge.on(ev, (p) => got.push(p));
      listeners.get(eventChannel(ev))![0]!({ sender: 'secret' }, { ev });
      off();
      expect(listeners.get(eventChannel(ev))).toEqual([]);
    }
    expect(got).toEqual(EVENTS.map((ev) => ({ ev })));
    expect(() => bridge.on('ipc:any' as never, () => undefined)).toThrow(/not an event/);
  });

  it('gives dropped files their path through webUtils', () => {
    expect(bridge.pathForFile({ name: 'bundle.zip' } as File)).toBe('/dropped/bundle.zip');
  });
});
