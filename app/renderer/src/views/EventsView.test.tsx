// @vitest-environment jsdom
/** The Events view over 5,000,000 rows: scaled scrolling (scaled-scroll.ts) in the real component. */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../../contract/index.js';
import { fakeTransport, renderWithStores } from '../test-support.js';
import { EventsView } from './EventsView.js';

const T0 = Date.UTC(2024, 4, 1, 12) * 1000;
const CASE: CaseInfo = { path: '/cases/big.sqlite', schemaVersion: 2, events: 5_000_000, gpuSamples: 0, sources: 1 };

beforeAll(() => {
  // jsdom has no layout: a 600 px high scroller.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

describe('Events view at 5,000,000 rows (scaled scrolling)', () => {
  const TOTAL = 5_000_000;
  const answers = () =>
    fakeTransport({
      'events.query': (a: { offset: number; limit: number }) => ({
        total: TOTAL,
        offset: a.offset,
        rows: Array.from({ length: Math.min(a.limit, TOTAL - a.offset) }, (_, i) => ({
          id: a.offset + i + 1, ts: T0 + (a.offset + i) * 1000, source: 'k8s_audit', actor: 'alice', action: 'get', resource: `pods/p${a.offset + i}`,
          namespace: 'ml', job: 'train-42', node: null, outcome: '200', starred: false, severity: null,
        })),
      }),
      'events.distinct': () => [],
      'events.detail': () => {
        throw new Error('not needed');
      },
    });
  /** jsdom has no layout: the scroller keeps the scrollTop it is given. */
  function scroller(): HTMLElement & { scrolledTo: number } {
    const body = screen.getByTestId('events-body') as HTMLElement & { scrolledTo: number };
    body.scrolledTo = 0;
    Object.defineProperty(body, 'scrollTop', { configurable: true, get: () => body.scrolledTo, set: (v: number) => (body.scrolledTo = v) });
    return body;
  }
  const rowIndexes = () => screen.getAllByRole('row').slice(1).map((r) => Number(r.getAttribute('aria-rowindex')) - 2);
  const firstShown = (): number => {
    // The row drawn at (or straddling) the scroller's top edge.
    const body = screen.getByTestId('events-body') as HTMLElement & { scrolledTo: number };
    const rows = screen.getAllByRole('row').slice(1).map((r) => ({ i: Number(r.getAttribute('aria-rowindex')) - 2, y: Number(/translateY\((-?[\d.e+]+)px\)/.exec(r.style.transform)![1]) }));
    return rows.filter((r) => r.y <= body.scrolledTo).sort((a, b) => b.y - a.y)[0]!.i;
  };

  it('keeps the spacer under the tallest box Chrome lays out and reaches the last row by scrollbar, End, Home and "Go to row"', async () => {
    const { transport } = answers();
    const { stores } = renderWithStores(<EventsView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('events-total').textContent).toBe('5,000,000 events'));
    const spacer = parseFloat(screen.getByTestId('events-spacer').style.height);
    // 5,000,000 × 28 px would be 140,000,000 px: Chrome stops at 33,554,431 and the end is lost.
    expect(spacer).toBeLessThanOrEqual(30_000_000);
    const body = scroller();
    const bottom = spacer - 600;

    // The scrollbar dragged to the bottom shows the last rows, the very last one included.
    act(() => {
      body.scrollTop = bottom;
      fireEvent.scroll(body);
    });
    await waitFor(() => expect(rowIndexes()).toContain(TOTAL - 1));
    expect(screen.getAllByRole('row').at(-1)!.getAttribute('aria-rowindex')).toBe(String(TOTAL + 1));
    await waitFor(() => expect(document.querySelector(`[data-event-id="${TOTAL}"]`)).not.toBeNull());

    // The wheel from the middle: one row height at a time, one row at a time.
    act(() => {
      body.scrollTop = Math.round(bottom / 2);
      fireEvent.scroll(body);
    });
    const mid = firstShown();
    expect(Math.abs(mid - TOTAL / 2)).toBeLessThan(50);
    for (let k = 1; k <= 5; k++) {
      act(() => {
        body.scrollTop += 28;
        fireEvent.scroll(body);
      });
      expect(firstShown()).toBe(mid + k);
    }

    // Keys: End selects and shows the last row, Home the first, PageDown moves one page.
    body.focus();
    fireEvent.keyDown(body, { key: 'End' });
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(TOTAL - 1));
    expect(body.scrolledTo).toBe(bottom);
    await waitFor(() => expect(document.querySelector('[aria-selected="true"]')?.getAttribute('aria-rowindex')).toBe(String(TOTAL + 1)));
    fireEvent.keyDown(body, { key: 'Home' });
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(0));
    expect(body.scrolledTo).toBe(0);
    expect(rowIndexes()[0]).toBe(0);

    fireEvent.change(screen.getByLabelText('Go to row'), { target: { value: '4,321,000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Go' }));
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(4_320_999));
    await waitFor(() => expect(document.querySelector('[aria-selected="true"]')?.getAttribute('data-event-id')).toBe('4321000'));
    fireEvent.keyDown(body, { key: 'PageDown' });
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(4_320_999 + 20));
    expect(rowIndexes()).toContain(4_320_999 + 20);
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(4_320_999 + 21));
    expect(rowIndexes()).toContain(4_320_999 + 21);

    // Scrolled away, "Show selected" brings the selected row back.
    act(() => {
      body.scrollTop = 1000;
      fireEvent.scroll(body);
    });
    expect(rowIndexes()).not.toContain(4_320_999 + 21);
    fireEvent.click(screen.getByRole('button', { name: 'Show selected' }));
    expect(rowIndexes()).toContain(4_320_999 + 21);
  });
});

describe('Events view: a jump to an event (Timeline, Judge, Annotations → showEvent)', () => {
  const TOTAL = 5_000_000;
  const BOB = 10;
  type Q = { offset?: number; limit?: number; sort?: string; desc?: boolean; filters?: Record<string, string>; search?: string; starredOnly?: boolean };
  /** Row i has id i + 1 ascending (ids descending when desc); with actor = bob only 10 rows match, none of them the jumped-to event. */
  const idAt = (q: Q, i: number): number => (q.desc ? TOTAL - i : i + 1);
  function world(opts: { queryDelayMs?: number } = {}) {
    return fakeTransport({
      'events.query': async (a: Q) => {
        if (opts.queryDelayMs) await new Promise((r) => setTimeout(r, opts.queryDelayMs));
        const total = a.filters?.actor === 'bob' ? BOB : TOTAL;
        const offset = a.offset ?? 0;
        return {
          total,
          offset,
          rows: Array.from({ length: Math.max(0, Math.min(a.limit ?? 200, total - offset)) }, (_, k) => {
            const id = a.filters?.actor === 'bob' ? 4_000_000 + offset + k : idAt(a, offset + k);
            return { id, ts: T0 + id * 1000, source: 'k8s_audit', actor: 'alice', action: 'get', resource: `pods/p${id}`, namespace: 'ml', job: 'train-42', node: null, outcome: '200', starred: false, severity: null };
          }),
        };
      },
      'events.position': (a: Q & { id: number }) => {
        if (a.filters?.actor === 'bob' || a.search) return { index: null };
        return { index: a.desc ? TOTAL - a.id : a.id - 1 };
      },
      'events.distinct': () => [],
      'events.detail': (a: { id: number }) => ({
        event: { id: a.id, ts: T0, source: 'k8s_audit', actor: 'alice', action: 'get', resource: 'pods', namespace: 'ml', job: 'train-42', node: null, gpu: null, outcome: '200', starred: false, severity: null, attrs: {}, auditId: null, stages: 1 },
        raw: '{}', source: { id: 1, path: 'audit.log', kind: 'k8s_audit', line: a.id, offset: 0 }, detections: [], judgements: [],
        annotation: { targetKind: 'event', targetId: a.id, starred: false, tags: [], comment: '', updatedAt: null },
      }),
    });
  }
  /** jsdom has no layout: the scroller keeps the scrollTop it is given. */
  const patched = new WeakSet<HTMLElement>();
  function body(): HTMLElement & { scrolledTo: number } {
    const el = screen.getByTestId('events-body') as HTMLElement & { scrolledTo: number };
    if (!patched.has(el)) {
      patched.add(el);
      el.scrolledTo = 0;
      Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => el.scrolledTo, set: (v: number) => (el.scrolledTo = v) });
    }
    return el;
  }
  /** The selected row is drawn, whole, inside the 600 px viewport. */
  async function expectSelectedInView(id: number): Promise<void> {
    await waitFor(() => expect(document.querySelector('[role=row][aria-selected="true"]')?.getAttribute('data-event-id')).toBe(String(id)));
    const row = document.querySelector('[role=row][aria-selected="true"]') as HTMLElement;
    const y = Number(/translateY\((-?[\d.e+]+)px\)/.exec(row.style.transform)![1]);
    const top = body().scrolledTo;
    expect(y).toBeGreaterThanOrEqual(top);
    expect(y + 28).toBeLessThanOrEqual(top + 600);
  }

  it('selects the row and scrolls it into view, even when the position answers before the first page', async () => {
    const { transport, calls } = world({ queryDelayMs: 30 });
    const { stores } = renderWithStores(<EventsView />, transport);
    // As when the Timeline switched views: the case and the event to show arrive together.
    act(() => stores.app.setState({ caseInfo: CASE, focusEventId: 3_210_988 }));
    body();
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(3_210_987));
    await expectSelectedInView(3_210_988);
    expect(stores.events.getState().detail?.event.id).toBe(3_210_988);
    expect(stores.app.getState().focusEventId).toBeNull();
    expect(calls.find((c) => c.name === 'events.position')!.args).toEqual({ id: 3_210_988, filters: {}, search: '', sort: 'ts', desc: false, starredOnly: false });
    expect(document.activeElement).toBe(body());

    // In the table's current order (newest first), from the end of the list.
    act(() => {
      body().scrollTop = 0;
      fireEvent.scroll(body());
    });
    await act(() => stores.events.getState().setQuery({ desc: true }));
    act(() => stores.app.getState().showEvent(12));
    await waitFor(() => expect(stores.events.getState().selectedIndex).toBe(TOTAL - 12));
    await expectSelectedInView(12);
    expect(calls.filter((c) => c.name === 'events.position').at(-1)!.args).toMatchObject({ id: 12, sort: 'ts', desc: true });
    expect(screen.queryByTestId('focus-hidden')).toBeNull();
  });

  it('says when the filters hide the event, and clears them to show it', async () => {
    const { transport } = world();
    const { stores } = renderWithStores(<EventsView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    body();
    await waitFor(() => expect(screen.getByTestId('events-total').textContent).toBe('5,000,000 events'));
    await act(() => stores.events.getState().setQuery({ filters: { actor: 'bob' }, starredOnly: true }));
    await waitFor(() => expect(screen.getByTestId('events-total').textContent).toBe('10 events'));

    act(() => stores.app.getState().showEvent(2_500_001));
    const notice = await screen.findByTestId('focus-hidden');
    expect(notice.textContent).toContain('Event #2500001 is hidden by the current filters.');
    expect(document.querySelector('[role=row][aria-selected="true"]')).toBeNull();
    // The detail is shown all the same.
    await waitFor(() => expect(stores.events.getState().detail?.event.id).toBe(2_500_001));

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters and show it' }));
    await waitFor(() => expect(screen.getByTestId('events-total').textContent).toBe('5,000,000 events'));
    expect(stores.events.getState().query).toMatchObject({ filters: {}, search: '', starredOnly: false });
    await expectSelectedInView(2_500_001);
    expect(stores.events.getState().selectedIndex).toBe(2_500_000);
    expect(screen.queryByTestId('focus-hidden')).toBeNull();
    expect(screen.queryByLabelText('Active filters')).toBeNull();
  });

  it('drops a position that answers a query the analyst has changed since', async () => {
    let answer: (v: { index: number | null }) => void = () => undefined;
    const { transport } = fakeTransport({
      'events.query': (a: Q) => ({ total: TOTAL, offset: a.offset ?? 0, rows: [] }),
      'events.position': () => new Promise((r) => (answer = r)),
      'events.detail': () => new Promise(() => undefined),
    });
    const { stores } = renderWithStores(<EventsView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, focusEventId: 77 }));
    await waitFor(() => expect(stores.events.getState().total).toBe(TOTAL));
    await act(() => stores.events.getState().setQuery({ search: 'pods' }));
    await act(async () => answer({ index: 76 }));
    expect(stores.events.getState()).toMatchObject({ selectedIndex: null, revealIndex: null, hiddenId: null });
  });
});
