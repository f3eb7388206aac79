/** Provides the zustand stores to the views (tests pass stores built over a fake transport). */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppStore, AppStoreState } from './app-store.js';
import type { EventsStore, EventsStoreState } from './events-store.js';

export interface Stores {
  app: AppStore;
  events: EventsStore;
  /** 'svg' under jsdom (tests), 'canvas' in the app. */
  chartRenderer: 'canvas' | 'svg';
}

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresProvider missing');
  return s;
}

export function useApp<T>(selector: (s: AppStoreState) => T): T {
  return useStore(useStores().app, selector);
}

export function useEvents<T>(selector: (s: EventsStoreState) => T): T {
  return useStore(useStores().events, selector);
}
