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
