/**
 * The Events view's state: the query (filters, search, sort, starred-only), the total, a cache
 * of fetched pages (rows arrive page by page as the virtualised table scrolls, so 1,000,000 rows
 * cost only what is on screen), the selected row and its detail.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EventDetail, EventFilterField, EventRow, EventSortColumn } from '../../../../contract/index.js';
import type { Transport } from '../transport/transport.js';

export const PAGE_SIZE = 200;
/** Pages kept in memory; the farthest from the viewport are dropped first. */
const MAX_PAGES = 60;

export interface EventQueryState {
  filters: Partial<Record<EventFilterField, string>>;
  search: string;
  sort: EventSortColumn;
  desc: boolean;
  starredOnly: boolean;
}

export interface EventsStoreState {
  query: EventQueryState;
  total: number | null;
  /** Incremented on every query change: a page answering an older query is dropped. */
  generation: number;
  pages: Map<number, EventRow[]>;
  selectedIndex: number | null;
  selectedId: number | null;
  detail: EventDetail | null;
  error: string | null;
  /** A row the table should scroll to once it knows the total (set by focusEvent, cleared by the view). */
  revealIndex: number | null;
  /** An event asked for by focusEvent that the current filters hide (the view offers to clear them). */
  hiddenId: number | null;
  setQuery(patch: Partial<EventQueryState>): Promise<void>;
  ensureRange(first: number, last: number): Promise<void>;
  rowAt(index: number): EventRow | undefined;
  select(index: number | null): Promise<void>;
  selectById(id: number): Promise<void>;
  /** Selects an event by id in the current query: its detail, its row (events.position) and a reveal. */
  focusEvent(id: number): Promise<void>;
  /** Clears what hides `hiddenId` (filters, search, starred-only; the sort stays) and focuses it. */
  showHidden(): Promise<void>;
  toggleStar(id: number): Promise<void>;
  saveNote(id: number, tags: string[], comment: string): Promise<void>;
  reload(): Promise<void>;
}

export type EventsStore = StoreApi<EventsStoreState>;

export const DEFAULT_QUERY: EventQueryState = { filters: {}, search: '', sort: 'ts', desc: false, starredOnly: false };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createEventsStore(transport: Transport): EventsStore {
  const inFlight = new Set<string>();
  return createStore<EventsStoreState>()((set, get) => {
    const fetchPage = async (page: number): Promise<void> => {
      const { generation, query } = get();
      const key = `${generation}:${page}`;
      if (inFlight.has(key) || get().pages.has(page)) return;
      inFlight.add(key);
      try {
        const res = await transport.call('events.query', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
        if (get().generation !== generation) return;
        const pages = new Map(get().pages);
        pages.set(page, res.rows);
        if (pages.size > MAX_PAGES) {
          const far = [...pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
          for (const p of far.slice(0, pages.size - MAX_PAGES)) pages.delete(p);
        }
        set({ pages, total: res.total, error: null });
      } catch (err) {
        set({ error: err instanceof Error ? err.message : String(err) });
      } finally {
        inFlight.delete(key);
      }
    };

    return {
      query: DEFAULT_QUERY,
      total: null,
      generation: 0,
      pages: new Map(),
      selectedIndex: null,
      selectedId: null,
      detail: null,
      error: null,
      revealIndex: null,
      hiddenId: null,

      async setQuery(patch) {
        set({
          query: { ...get().query, ...patch }, generation: get().generation + 1, pages: new Map(), total: null, selectedIndex: null,
          revealIndex: null, hiddenId: null,
        });
        await fetchPage(0);
      },

      reload: () => get().setQuery({}),

      async ensureRange(first, last) {
        const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
        const to = Math.floor(Math.max(0, last) / PAGE_SIZE);
        const jobs: Promise<void>[] = [];
        for (let p = from; p <= to; p++) jobs.push(fetchPage(p));
        await Promise.all(jobs);
      },

      rowAt(index) {
        return get().pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
      },

      async select(index) {
        if (index === null) return set({ selectedIndex: null, selectedId: null, detail: null });
        const total = get().total ?? 0;
        const i = Math.max(0, Math.min(total - 1, index));
        set({ selectedIndex: i });
        await get().ensureRange(i, i);
        const row = get().rowAt(i);
        if (!row) return;
        await get().selectById(row.id);
        set({ selectedIndex: i });
      },

      async selectById(id) {
        set({ selectedId: id });
        try {
          const detail = await transport.call('events.detail', { id });
          if (get().selectedId === id) set({ detail, error: null });
        } catch (err) {
          set({ error: err instanceof Error ? err.message : String(err) });
        }
      },

      async focusEvent(id) {
        const { generation, query } = get();
        set({ revealIndex: null, hiddenId: null });
        // The detail shows whatever the filters say; the row is found in the table's own order.
        const detail = get().selectById(id);
        try {
          const { index } = await transport.call('events.position', { id, ...query });
          // The analyst changed the query (or focused another event) meanwhile: that answer is stale.
          if (get().generation !== generation || get().selectedId !== id) return;
          if (index === null) set({ hiddenId: id, selectedIndex: null });
          else {
            set({ selectedIndex: index, revealIndex: index });
            await get().ensureRange(index, index);
          }
        } catch (err) {
          set({ error: message(err) });
        }
        await detail;
      },

      async showHidden() {
        const id = get().hiddenId;
        if (id === null) return;
        const cleared = get().setQuery({ filters: {}, search: '', starredOnly: false });
        await Promise.all([cleared, get().focusEvent(id)]);
      },

      async toggleStar(id) {
        const detail = get().detail;
        const current = detail?.event.id === id ? detail.annotation.starred : (findRow(id)?.starred ?? false);
        const a = await transport.call('annotations.set', { targetKind: 'event', targetId: id, starred: !current });
        await refreshAfterAnnotation(id, a.starred);
      },

      async saveNote(id, tags, comment) {
        const a = await transport.call('annotations.set', { targetKind: 'event', targetId: id, tags, comment });
        await refreshAfterAnnotation(id, a.starred);
      },
    };

    function findRow(id: number): EventRow | undefined {
      for (const rows of get().pages.values()) {
        const r = rows.find((x) => x.id === id);
        if (r) return r;
      }
      return undefined;
    }

    /** Patches the star in the cached rows (no refetch, no flicker) and reloads the open detail. */
    async function refreshAfterAnnotation(id: number, starred: boolean): Promise<void> {
      const pages = new Map<number, EventRow[]>();
      for (const [p, rows] of get().pages) pages.set(p, rows.map((r) => (r.id === id ? { ...r, starred } : r)));
      set({ pages });
      if (get().selectedId === id) await get().selectById(id);
    }
  });
}
