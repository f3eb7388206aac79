/** Test support: a scripted fake transport and a render helper with the stores and the SVG chart renderer. */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { CallName, EventName, EventPayloads } from '../../../contract/index.js';
import type { Transport } from './transport/transport.js';
import { createAppStore } from './state/app-store.js';
import { createEventsStore } from './state/events-store.js';
import { StoresProvider, type Stores } from './state/store-context.js';

export type Answers = Partial<Record<CallName, (args: never) => unknown>>;

export function fakeTransport(answers: Answers, kind: 'electron' | 'http' = 'http') {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { name: string; args: unknown }[] = [];
  const transport: Transport = {
    kind,
    async call(name, args) {
      calls.push({ name, args });
      const a = answers[name];
      if (!a) throw new Error(`no answer scripted for ${name}`);
      return (await a(args as never)) as never;
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
    pathForFile: () => null,
  };
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]): void => {
    for (const cb of listeners.get(event) ?? []) cb(payload);
  };
  return { transport, calls, emit };
}

export function renderWithStores(ui: ReactElement, transport: Transport) {
  const stores: Stores = { app: createAppStore(transport, { theme: 'dark' }), events: createEventsStore(transport), chartRenderer: 'svg' };
  return { stores, ...render(<StoresProvider stores={stores}>{ui}</StoresProvider>) };
}
