/**
 * Events: every event of the case in one virtualised table. Only the rows on screen exist in the
 * DOM and only their pages are fetched, so 1,000,000 rows scroll like 100. Sorting, filters and
 * search run in SQLite (the contract's events.query); @tanstack/react-table owns columns and the
 * sort state; the window is scaled-scroll.ts's, whose spacer stays under Chrome's tallest box, so
 * the last of 5,000,000 rows is as reachable as the first (by scrollbar, keys, or "Go to row").
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import type { EventFilterField, EventRow, EventSortColumn } from '../../../../contract/index.js';
import { useApp, useEvents, useStores } from '../state/store-context.js';
import { formatCount, formatTs, type TimeZoneMode } from '../format.js';
import { EventDetailPanel } from './EventDetailPanel.js';
import { reveal, rowOffset, rowWindow, SCROLL_START, scrolled, spacerHeight, type RevealAlign, type ScrollGeometry, type ScrollPos } from './scaled-scroll.js';

const ROW_HEIGHT = 28;
/**
 * Rows rendered past each edge of the viewport. A jump lays out and paints every rendered row: with
 * 20, and rows sized to their content, jumps through 1,000,000 rows ran 30-57 ms tasks (mostly
 * Layout; `npm run bench -- ui`); with 8 and fixed-size rows none reaches 50 ms.
 */
const OVERSCAN = 8;
/** Row elements are keyed by slot (index modulo this, above any window's row count) so a jump reuses them. */
const ROW_SLOTS = 256;
const FILTER_FIELDS: EventFilterField[] = ['source', 'actor', 'action', 'job', 'namespace', 'outcome'];
const SORTABLE = new Set<string>(['ts', 'source', 'actor', 'action', 'resource', 'namespace', 'job', 'outcome']);

function columnsFor(tz: TimeZoneMode): ColumnDef<EventRow>[] {
  return [
    { id: 'starred', header: '★', size: 32, cell: (c) => (c.row.original.starred ? '★' : ''), enableSorting: false },
    { id: 'ts', accessorKey: 'ts', header: tz === 'utc' ? 'time (UTC)' : 'time (local)', size: 230, cell: (c) => formatTs(c.row.original.ts, tz) },
    { id: 'severity', accessorKey: 'severity', header: 'alert', size: 70, enableSorting: false, cell: (c) => c.row.original.severity ?? '' },
    { id: 'source', accessorKey: 'source', header: 'source', size: 90 },
    { id: 'actor', accessorKey: 'actor', header: 'actor', size: 220 },
    { id: 'action', accessorKey: 'action', header: 'action', size: 110 },
    { id: 'resource', accessorKey: 'resource', header: 'resource', size: 260 },
    { id: 'namespace', accessorKey: 'namespace', header: 'namespace', size: 110 },
    { id: 'job', accessorKey: 'job', header: 'job', size: 160 },
    { id: 'outcome', accessorKey: 'outcome', header: 'outcome', size: 80 },
  ];
}

export function EventsView() {
  const { events } = useStores();
  const tz = useApp((s) => s.tz);
  const caseInfo = useApp((s) => s.caseInfo);
  const focusEventId = useApp((s) => s.focusEventId);
  const transport = useApp((s) => s.transport);
  const query = useEvents((s) => s.query);
  const total = useEvents((s) => s.total);
  const pages = useEvents((s) => s.pages);
  const selectedIndex = useEvents((s) => s.selectedIndex);
  const selectedId = useEvents((s) => s.selectedId);
  const revealIndex = useEvents((s) => s.revealIndex);
  const hiddenId = useEvents((s) => s.hiddenId);
  const error = useEvents((s) => s.error);
  const [search, setSearch] = useState(query.search);
  const [field, setField] = useState<EventFilterField>('actor');
  const [value, setValue] = useState('');
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [rowInput, setRowInput] = useState('');
  // Distinct values are a GROUP BY over every event (a second at 1,000,000): asked for when the
  // analyst first focuses the filter box, not on opening the view, where it delayed the first rows.
  const [wantSuggestions, setWantSuggestions] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  // First query when a case is (re)opened.
  useEffect(() => {
    if (caseInfo) void events.getState().setQuery({});
  }, [caseInfo, events]);

  // A jump from the Timeline, Judge or Annotations view: that event's detail, and its row selected
  // and scrolled to (events.position in the current query; the reveal waits for the total below).
  const focusHandled = useApp((s) => s.focusHandled);
  useEffect(() => {
    if (focusEventId === null) return;
    focusHandled();
    void events.getState().focusEvent(focusEventId);
  }, [focusEventId, focusHandled, events]);

  useEffect(() => {
    if (!wantSuggestions) return;
    let live = true;
    transport.call('events.distinct', { field, limit: 100 }).then((v) => live && setSuggestions(v), () => undefined);
    return () => {
      live = false;
    };
  }, [field, transport, caseInfo, wantSuggestions]);

  // The scroller's height, measured (and followed when the window is resized).
  const [viewport, setViewport] = useState(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewport(el.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [caseInfo]);
  const count = total ?? 0;
  const geometry = useMemo<ScrollGeometry>(() => ({ count, rowHeight: ROW_HEIGHT, viewport }), [count, viewport]);
  // The position is read by scroll events before React re-renders: kept in a ref as well.
  const [pos, setPos] = useState<ScrollPos>(SCROLL_START);
  const posRef = useRef(pos);
  const place = useCallback((next: ScrollPos) => {
    posRef.current = next;
    setPos(next);
  }, []);
  // Another query (new total): back to the top.
  useEffect(() => {
    place(SCROLL_START);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [count, query, place]);
  const onScroll = () => {
    const el = scrollRef.current;
    if (el) place(scrolled(geometry, posRef.current, el.scrollTop));
  };
  /** Shows row `index` (keys, "Go to row", "Show selected"): the position first, then the scroller. */
  const revealRow = (index: number, align: RevealAlign) => {
    const next = reveal(geometry, posRef.current, index, align);
    if (next === posRef.current) return;
    place(next);
    const el = scrollRef.current;
    if (el && el.scrollTop !== next.top) el.scrollTop = next.top;
  };
  // A focused event's row (focusEvent): shown once the total is known. Declared after the
  // back-to-the-top effect, so when both run in one commit (the first page arrives) this one wins.
  useEffect(() => {
    if (revealIndex === null || total === null) return;
    if (revealIndex < total) {
      revealRow(revealIndex, 'center');
      // Keys go on from the row (Enter in the Timeline left the focus on a view that is gone).
      scrollRef.current?.focus({ preventScroll: true });
    }
    events.setState({ revealIndex: null });
    // revealRow reads this render's geometry, which total and viewport decide.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealIndex, total, viewport, events]);
  const { first, last } = rowWindow(geometry, pos, OVERSCAN);
  const items = useMemo(() => {
    const list: { index: number; start: number }[] = [];
    for (let i = first; i <= last; i++) list.push({ index: i, start: rowOffset(geometry, pos, i) });
    return list;
  }, [first, last, geometry, pos]);

  useEffect(() => {
    if (last >= first) void events.getState().ensureRange(first, last);
  }, [first, last, pages, events]);

  const windowRows = useMemo(() => {
    const rows: EventRow[] = [];
    for (let i = first; i <= last; i++) {
      const r = events.getState().rowAt(i);
      rows.push(r ?? { id: -1 - i, ts: 0, source: '', actor: null, action: '…', resource: null, namespace: null, job: null, node: null, outcome: null, starred: false, severity: null });
    }
    return rows;
    // pages is the cache the rows come from
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [first, last, pages, events]);

  const columns = useMemo(() => columnsFor(tz), [tz]);
  const sorting: SortingState = [{ id: query.sort, desc: query.desc }];
  const table = useReactTable({
    data: windowRows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    // One sort at a time, toggling ascending ↔ descending (SQLite does the sorting).
    enableSortingRemoval: false,
    sortDescFirst: false,
    enableMultiSort: false,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const s = next[0];
      void events.getState().setQuery(s && SORTABLE.has(s.id) ? { sort: s.id as EventSortColumn, desc: s.desc } : { sort: 'ts', desc: false });
    },
  });
  const gridTemplate = columns.map((c) => `${c.size ?? 100}px`).join(' ');
  // Rows have a fixed size (styles.css: contain: strict), so laying out one never looks at another.
  const rowWidth = `max(100%, ${columns.reduce((a, c) => a + (c.size ?? 100), 0)}px)`;
  const tableRows = table.getRowModel().rows;

  const move = (delta: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, (selectedIndex ?? -1) + delta));
    revealRow(next, 'auto');
    void events.getState().select(next);
  };
  const goToRow = (index: number) => {
    if (count === 0) return;
    const i = Math.max(0, Math.min(count - 1, index));
    revealRow(i, 'center');
    void events.getState().select(i);
  };
  // A page: the rows on screen less one, so the last row of a page is the first of the next.
  const pageRows = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
  const onGridKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'j') move(1);
    else if (e.key === 'ArrowUp' || e.key === 'k') move(-1);
    else if (e.key === 'PageDown') move(pageRows);
    else if (e.key === 'PageUp') move(-pageRows);
    else if (e.key === 'Home') move(-(total ?? 0));
    else if (e.key === 'End') move(total ?? 0);
    else if (e.key === 's' && selectedId !== null) void events.getState().toggleStar(selectedId);
    else if (e.key === '/') searchRef.current?.focus();
    else return;
    e.preventDefault();
  };

  if (!caseInfo) return <div className="view"><p className="muted">Open a case to list its events.</p></div>;
  return (
    <div className="view events-view">
      <div className="toolbar" role="search">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void events.getState().setQuery({ search });
          }}
        >
          <input ref={searchRef} type="search" placeholder="Search raw records (/)" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Full-text search" name="search" />
          <button type="submit">Search</button>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim()) void events.getState().setQuery({ filters: { ...query.filters, [field]: value.trim() } });
            setValue('');
          }}
        >
          <select value={field} onChange={(e) => setField(e.target.value as EventFilterField)} aria-label="Filter field">
            {FILTER_FIELDS.map((f) => (
              <option key={f} value={f}>{f}</option>
            ))}
          </select>
          <input list="filter-values" value={value} onChange={(e) => setValue(e.target.value)} onFocus={() => setWantSuggestions(true)} aria-label="Filter value" placeholder="equals…" name="filterValue" />
          <datalist id="filter-values">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <button type="submit">Add filter</button>
        </form>
        <label>
          <input type="checkbox" checked={query.starredOnly} onChange={(e) => void events.getState().setQuery({ starredOnly: e.target.checked })} />
          starred only
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(rowInput.replace(/[\s,]/g, ''));
            if (Number.isInteger(n) && n >= 1) goToRow(n - 1);
            scrollRef.current?.focus();
          }}
        >
          <input value={rowInput} onChange={(e) => setRowInput(e.target.value)} aria-label="Go to row" placeholder="row #" inputMode="numeric" size={9} name="row" />
          <button type="submit" disabled={count === 0}>Go</button>
          <button type="button" disabled={selectedIndex === null} onClick={() => selectedIndex !== null && revealRow(selectedIndex, 'center')}>
            Show selected
          </button>
        </form>
        <span className="muted small" data-testid="events-total">{total === null ? 'loading…' : `${formatCount(total)} event${total === 1 ? '' : 's'}`}</span>
      </div>
      {Object.entries(query.filters).length > 0 ? (
        <div className="chips" aria-label="Active filters">
          {Object.entries(query.filters).map(([k, v]) => (
            <button
              key={k}
              type="button"
              className="chip"
              onClick={() => {
                const rest = { ...query.filters };
                delete rest[k as EventFilterField];
                void events.getState().setQuery({ filters: rest });
              }}
              aria-label={`Remove filter ${k} = ${v}`}
            >
              {k} = {v} ×
            </button>
          ))}
        </div>
      ) : null}
      {hiddenId !== null ? (
        <p className="notice" role="status" data-testid="focus-hidden">
          <span>Event #{hiddenId} is hidden by the current filters.</span>
          <button
            type="button"
            onClick={() => {
              setSearch('');
              void events.getState().showHidden();
            }}
          >
            Clear filters and show it
          </button>
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      <div className="events-split">
        <div className="grid" role="grid" aria-rowcount={(total ?? 0) + 1} aria-label="Events" data-testid="events-grid">
          <div className="grid-header" role="row" style={{ gridTemplateColumns: gridTemplate }}>
            {table.getHeaderGroups()[0]!.headers.map((h) => {
              const sorted = h.column.getIsSorted();
              return (
                <div key={h.id} role="columnheader" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                  {h.column.getCanSort() ? (
                    <button type="button" className="header-button" onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                    </button>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                </div>
              );
            })}
          </div>
          <div ref={scrollRef} className="grid-body" tabIndex={0} onKeyDown={onGridKey} onScroll={onScroll} aria-label="Event rows (arrows to move, s to star, / to search)" data-testid="events-body">
            {/* Capped (scaled-scroll.ts); rows past its end are clipped rather than growing it. */}
            <div className="grid-spacer" style={{ height: spacerHeight(geometry) }} data-testid="events-spacer">
              {items.map((vi, k) => {
                const row = tableRows[k];
                if (!row) return null;
                const real = row.original.id >= 0;
                return (
                  <div
                    key={vi.index % ROW_SLOTS}
                    role="row"
                    aria-rowindex={vi.index + 2}
                    aria-selected={vi.index === selectedIndex}
                    className={`grid-row${vi.index === selectedIndex ? ' selected' : ''}${row.original.severity ? ` sev-${row.original.severity}` : ''}`}
                    style={{ transform: `translateY(${vi.start}px)`, height: ROW_HEIGHT, width: rowWidth, gridTemplateColumns: gridTemplate }}
                    onClick={() => real && void events.getState().select(vi.index)}
                    data-event-id={real ? row.original.id : undefined}
                  >
                    {row.getVisibleCells().map((cell) => (
                      <div key={cell.id} role="gridcell" className={cell.column.id === 'ts' ? 'mono' : undefined}>
                        {real ? flexRender(cell.column.columnDef.cell, cell.getContext()) : cell.column.id === 'action' ? '…' : ''}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        <EventDetailPanel />
      </div>
    </div>
  );
}
