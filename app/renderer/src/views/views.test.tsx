// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, beforeAll } from 'vitest';
import type { AppInfo, CaseInfo, EventPage, Timeline } from '../../../../contract/index.js';
import { fakeTransport, renderWithStores } from '../test-support.js';
import { App } from '../App.js';
import { StartView } from './StartView.js';
import { TimelineView } from './TimelineView.js';
import { EventsView } from './EventsView.js';
import { alertOrder, timelineOption } from './timeline-option.js';

const T0 = Date.UTC(2024, 4, 1, 12) * 1000;
const MIN = 60_000_000;
const CASE: CaseInfo = { path: '/cases/c.sqlite', schemaVersion: 2, events: 3, gpuSamples: 10, sources: 2 };
const info = (openCase: CaseInfo | null): AppInfo => ({ version: '0.1.0', shell: 'http', openCase });

const timeline: Timeline = {
  from: T0, to: T0 + 60 * MIN, bucketUs: 6 * MIN,
  buckets: Array.from({ length: 10 }, (_, i) => T0 + i * 6 * MIN),
  phases: ['recon', 'staging', 'conversion', 'exfiltration'],
  detections: [
    { id: 12, eventId: 2, ts: T0 + 20 * MIN, phase: 'staging', severity: 'high', layer: 1, label: 'copy <b>weights</b>', job: 'train-42' },
    { id: 11, eventId: 1, ts: T0 + 5 * MIN, phase: 'recon', severity: 'medium', layer: 1, label: 'list secrets', job: 'train-42' },
    { id: 13, eventId: 3, ts: T0 + 50 * MIN, phase: 'exfiltration', severity: 'critical', layer: 2, label: 'egress', job: 'train-42' },
  ],
  eventCounts: [1, 0, 0, 1, 0, 0, 0, 0, 1, 0],
  gpu: [{ field: 'DCGM_FI_PROF_PCIE_TX_BYTES', mean: [1, 2, null, 4, 5, 6, 7, 8, 9, 10], max: [1, 2, null, 4, 5, 6, 7, 8, 9, 20] }],
  gpuFields: ['DCGM_FI_PROF_PCIE_TX_BYTES'],
};

beforeAll(() => {
  // jsdom has no layout: give elements a size so the virtualiser renders rows.
  Object.defineProperty(HTMLElement.prototype, 'getBoundingClientRect', {
    configurable: true,
    value: () => ({ width: 1000, height: 600, top: 0, left: 0, right: 1000, bottom: 600, x: 0, y: 0, toJSON: () => ({}) }),
  });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

describe('timeline option', () => {
  it('orders alerts by time and escapes attacker-written labels in tooltips', () => {
    expect(alertOrder(timeline).map((d) => d.phase)).toEqual(['recon', 'staging', 'exfiltration']);
    const opt = timelineOption(timeline, 'utc', 12) as unknown as {
      tooltip: { formatter: (p: unknown) => string };
      series: { name: string; data: unknown[]; markLine?: unknown }[];
      xAxis: { min: number; max: number }[];
    };
    expect(opt.xAxis.map((x) => [x.min, x.max])).toEqual([[T0 / 1000, (T0 + 60 * MIN) / 1000], [T0 / 1000, (T0 + 60 * MIN) / 1000]]);
    const html = opt.tooltip.formatter({ seriesName: 'high', data: [0, 1, 12], seriesIndex: 0 });
    expect(html).toContain('copy &#60;b&#62;weights&#60;/b&#62;');
    expect(html).not.toContain('<b>');
    const pcie = opt.series.find((s) => s.name === 'PCIe TX')!;
    expect(pcie.data[9]).toEqual([expect.any(Number), 50, 10, 20]);
    expect(opt.series.some((s) => s.markLine)).toBe(true);
  });
});

describe('Start view', () => {
  it('ingests a typed bundle path and shows files, records, rate, ETA and quarantine count', async () => {
    const { transport, emit, calls } = fakeTransport({
      'app.info': () => info(null),
      'recent.list': () => [],
      'ingest.start': () => ({ jobId: 'ingest-1', bundlePath: '/b', totalFiles: 4 }),
      'case.summary': () => { throw new Error('not needed'); },
    });
    const { stores } = renderWithStores(<StartView />, transport);
    await act(() => stores.app.getState().init());
    expect(document.documentElement.dataset.appState).toBe('ready');
    fireEvent.change(screen.getByLabelText('Bundle path on the server'), { target: { value: '/evidence/b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Ingest bundle' }));
    await waitFor(() => expect(calls.some((c) => c.name === 'ingest.start')).toBe(true));
    expect(document.documentElement.dataset.appState).toBe('ingesting');
    act(() =>
      emit('ingest.progress', { jobId: 'ingest-1', phase: 'reading', filesDone: 2, totalFiles: 4, currentFile: 'audit/a.log.gz', bytes: 2048, records: 12345, quarantined: 3, rate: 6000, elapsedSeconds: 2, etaSeconds: 125 }),
    );
    expect(screen.getByTestId('progress-files').textContent).toBe('2 of 4');
    expect(screen.getByTestId('progress-records').textContent).toBe('12,345');
    expect(screen.getByTestId('progress-eta').textContent).toBe('2 min 5 s');
    expect(screen.getByTestId('progress-quarantined').textContent).toBe('3');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    expect(screen.getByText('audit/a.log.gz')).toBeTruthy();
  });

  it('shows a failed ingest in plain words', async () => {
    const { transport, emit } = fakeTransport({ 'app.info': () => info(null), 'recent.list': () => [], 'ingest.start': () => ({ jobId: 'ingest-1', bundlePath: '/b', totalFiles: null }) });
    const { stores } = renderWithStores(<App />, transport);
    await act(() => stores.app.getState().init());
    await act(() => stores.app.getState().startIngest('/b'));
    act(() => emit('ingest.failed', { jobId: 'ingest-1', message: 'The bundle /b does not exist.' }));
    expect(screen.getByRole('alert').textContent).toContain('The bundle /b does not exist.');
    expect(document.documentElement.dataset.appState).toBe('ready');
  });
});

describe('Timeline view', () => {
  it('draws the chart (SVG renderer) and steps through alerts with j and k', async () => {
    const { transport } = fakeTransport({ 'timeline.get': () => timeline });
    const { stores } = renderWithStores(<TimelineView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('alert-count').textContent).toBe('3 alerts in view'));
    expect(screen.getByTestId('timeline-chart').querySelector('svg')).not.toBeNull();
    const view = screen.getByTestId('timeline-view');
    fireEvent.keyDown(view, { key: 'j' });
    expect(screen.getByTestId('selected-phase').textContent).toBe('recon');
    fireEvent.keyDown(view, { key: 'j' });
    fireEvent.keyDown(view, { key: 'j' });
    fireEvent.keyDown(view, { key: 'j' });
    expect(screen.getByTestId('selected-phase').textContent).toBe('exfiltration');
    fireEvent.keyDown(view, { key: 'k' });
    expect(screen.getByTestId('selected-phase').textContent).toBe('staging');
    fireEvent.keyDown(view, { key: 'Enter' });
    expect(stores.app.getState()).toMatchObject({ view: 'events', focusEventId: 2 });
  });
});

describe('Events view', () => {
  it('renders only the visible rows of a million and fetches only their pages', async () => {
    const TOTAL = 1_000_000;
    const page = (offset: number, limit: number): EventPage => ({
      total: TOTAL,
      offset,
      rows: Array.from({ length: limit }, (_, i) => ({
        id: offset + i + 1, ts: T0 + (offset + i) * 1000, source: 'k8s_audit', actor: 'alice', action: 'get', resource: `pods/p${offset + i}`,
        namespace: 'ml', job: 'train-42', node: null, outcome: '200', starred: false, severity: null,
      })),
    });
    const { transport, calls } = fakeTransport({
      'events.query': (a: { offset: number; limit: number }) => page(a.offset, a.limit),
      'events.distinct': () => ['alice'],
      'events.detail': () => { throw new Error('not needed'); },
    });
    const { stores } = renderWithStores(<EventsView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('events-total').textContent).toBe('1,000,000 events'));
    await waitFor(() => expect(screen.getAllByRole('row').length).toBeGreaterThan(5));
    const rows = screen.getAllByRole('row');
    expect(rows.length).toBeLessThan(80);
    expect(screen.getByText('pods/p0')).toBeTruthy();
    expect(calls.filter((c) => c.name === 'events.query').length).toBeLessThanOrEqual(2);
    // Sorting goes to the server, newest first.
    fireEvent.click(screen.getByRole('button', { name: /time \(UTC\)/ }));
    await waitFor(() => expect(calls.at(-1)).toMatchObject({ name: 'events.query', args: { sort: 'ts', desc: true } }));
  });
});
