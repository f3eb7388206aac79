// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, beforeAll } from 'vitest';
import type { AppInfo, CaseInfo, CaseSummaryView, CheckpointDetail, EventPage, Timeline } from '../../../../contract/index.js';
import { fakeTransport, renderWithStores } from '../test-support.js';
import { App } from '../App.js';
import { StartView } from './StartView.js';
import { TimelineView } from './TimelineView.js';
import { EventsView } from './EventsView.js';
import { OverviewView } from './OverviewView.js';
import { CheckpointsView } from './CheckpointsView.js';
import { JudgeView } from './JudgeView.js';
import { histogramHeatmapOption, normalisedStats, usedBinRange } from './checkpoint-heatmap.js';
import { alertOrder, timelineOption } from './timeline-option.js';

const T0 = Date.UTC(2024, 4, 1, 12) * 1000;
/** Charts appear in later tasks, the first after ECharts' chunk has loaded. */
const CHART_WAIT = { timeout: 15_000 };
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

const SUMMARY: CaseSummaryView = {
  casePath: CASE.path, sources: [], events: 3021, eventsBySource: { k8s_audit: 3021 }, gpuSamples: 0, gpuSeries: 0, quarantined: 0, quarantineReasons: [],
  firstTs: T0, lastTs: T0 + 60 * MIN, trajectories: 4, topTrajectories: [], checkpoints: [], detections: 2, detectionsByPhase: { recon: 1 }, detectionsByLayer: { 1: 2 },
  flaggedTrajectories: 1, families: [],
  analysis: {
    runId: 1, events: 3021, layers: { l1Cleared: 0.971201588, l2Reached: 0.0162, l3Reached: 0.004 },
    counts: {
      l1: { cleared: 2934, alert: 38, escalate: 17, pass: 32, passCleared: 101 },
      l2: { reached: 49, cleared: 15, alert: 22, uncertain: 12, unavailable: 0 },
      l3: { reached: 12, alert: 0, cleared: 0, open: 12, notRun: 12, fromCache: 0, inputTokens: 0, outputTokens: 0 },
    },
    providers: { lstm: 'cpu', iforest: 'cpu' }, judge: { model: null, status: 'not run: no API key' }, detections: 109, seconds: 0.8,
  },
  flagged: [{ job: 'ml-train/whisper-ft', family: 'weight_exfiltration', firstAlertTs: T0, firstAlertPhase: 'recon', alerts: 3, phases: [{ phase: 'recon', firstTs: T0, alerts: 2 }, { phase: 'exfiltration', firstTs: T0 + MIN, alerts: 1 }] }],
  checkpointVerdicts: [{ path: 'checkpoints/w/model.pt', format: 'pytorch-zip', verdict: 'suspicious', findings: 1 }],
};

describe('Overview and analysis', () => {
  it('shows the cascade funnel, flagged trajectories and checkpoint verdicts', () => {
    const { transport } = fakeTransport({});
    const { stores } = renderWithStores(<OverviewView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, summary: SUMMARY }));
    expect(screen.getByTestId('funnel-l1-cleared').textContent).toBe('97.1%');
    expect(screen.getByTestId('funnel-l1-cleared').dataset.share).toBe('0.9712');
    expect(screen.getByTestId('funnel-l3-count').textContent).toBe('12');
    expect(screen.getByTestId('flagged-count').textContent).toBe('1');
    expect(screen.getByTestId('flagged-phases').textContent).toBe('reconexfiltration');
    expect(screen.getByTestId('checkpoint-verdicts').textContent).toContain('suspicious');
  });

  it('signals analysis-finished only when the analysis after an ingest has finished', async () => {
    const { transport, emit } = fakeTransport({ 'app.info': () => info(null), 'recent.list': () => [], 'case.summary': () => SUMMARY, 'ingest.start': () => ({ jobId: 'ingest-1', bundlePath: '/b', totalFiles: 1 }) });
    const { stores } = renderWithStores(<App />, transport);
    const seen: string[] = [];
    const onSignal = () => seen.push('finished');
    document.addEventListener('mlshield:analysis-finished', onSignal);
    await act(() => stores.app.getState().init());
    await act(() => stores.app.getState().startIngest('/b'));
    await act(async () => emit('ingest.finished', { jobId: 'ingest-1', case: CASE, events: 3, gpuSamples: 0, quarantined: 0, seconds: 1, sources: [] }));
    act(() => emit('analysis.progress', { jobId: 'analysis-1', stage: 'layer 1', done: 20000, total: 40000, elapsedSeconds: 1 }));
    expect(seen).toEqual([]);
    expect(stores.app.getState().analysis?.stage).toBe('layer 1');
    await act(async () => emit('analysis.finished', { jobId: 'analysis-1', run: SUMMARY.analysis!, flaggedTrajectories: 1, checkpointsTriaged: 1 }));
    await waitFor(() => expect(seen).toEqual(['finished']));
    expect(stores.app.getState().analysis).toBeNull();
    document.removeEventListener('mlshield:analysis-finished', onSignal);
  });
});

const BINS = 131;
const hist = (bin: number): number[] => Array.from({ length: BINS }, (_, i) => (i === bin ? 10 : 0));
const tensor = (name: string, bin: number, absMax: number) => ({ name, dtype: 'float32', shape: [2, 5], count: 10, nan: 0, inf: 0, min: -absMax, max: absMax, mean: 0, std: absMax / 3, absMax, histogram: hist(bin) });
const DETAIL: CheckpointDetail = {
  id: 1, path: 'checkpoints/w/model.pt', format: 'pytorch-zip', sha256: 'a'.repeat(64), verdict: 'suspicious', size: 60739,
  findings: [{ id: 'tensor.outlier.role', severity: 'medium', message: 'w1: absMax 66.9 is 913× the median <b>', location: 'w1' }],
  imports: [{ module: 'torch._utils', name: '_rebuild_tensor_v2', opcodeOffset: 62, classification: 'safe', severity: null, pickle: 'model/data.pkl' }],
  tensors: [tensor('w0', 90, 0.06), tensor('w1', 100, 66.9), { ...tensor('q', 0, 0), histogram: null }],
  tensorsTotal: 3, binLabels: Array.from({ length: BINS }, (_, i) => `b${i}`),
};

describe('Checkpoints view', () => {
  it('draws the histogram heatmap over the used bins only and scales statistics to [0, 1]', () => {
    const rows = DETAIL.tensors.filter((t) => t.histogram);
    expect(usedBinRange(rows, BINS)).toEqual([89, 101]);
    const opt = histogramHeatmapOption(DETAIL)!;
    expect(opt.xAxis.data).toHaveLength(13);
    expect(opt.series[0]!.data).toEqual([[1, 0, 1], [11, 1, 1]]);
    const html = opt.tooltip.formatter({ data: [1, 0, 1] });
    expect(html).toContain('w0');
    const { data } = normalisedStats(rows);
    expect(data.filter((d) => d[0] === 4)).toEqual([[4, 0, 0], [4, 1, 1]]);
  });

  it('lists checkpoints and opens the inspector with findings, imports, tensors and two heatmaps', async () => {
    const { transport } = fakeTransport({
      'checkpoints.list': () => [{ id: 1, path: DETAIL.path, format: 'pytorch-zip', sha256: DETAIL.sha256, verdict: 'suspicious', findings: 1 }],
      'checkpoints.detail': () => DETAIL,
    });
    const { stores } = renderWithStores(<CheckpointsView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    fireEvent.click(await screen.findByRole('button', { name: `Inspect ${DETAIL.path}` }));
    await waitFor(() => expect(screen.getByTestId('checkpoint-inspector')).toBeTruthy());
    expect(screen.getByTestId('checkpoint-findings').textContent).toContain('913× the median <b>');
    expect(screen.getByTestId('checkpoint-imports').textContent).toContain('torch._utils._rebuild_tensor_v2');
    expect(screen.getByTestId('checkpoint-tensors').querySelectorAll('tbody tr')).toHaveLength(3);
    // Charts are drawn in later tasks (chart-work.ts), after the rest of the inspector; the first
    // chart of a run also waits for ECharts' chunk (a second or more to transform on a busy machine).
    await waitFor(() => expect(screen.getByTestId('heatmap-histogram').querySelector('svg')).not.toBeNull(), CHART_WAIT);
    await waitFor(() => expect(screen.getByTestId('heatmap-stats').querySelector('svg')).not.toBeNull(), CHART_WAIT);
  });
});

describe('Judge view', () => {
  it('says plainly that the judge did not run without a key, and lists what waits for it', async () => {
    const { transport } = fakeTransport({
      'settings.judge.get': () => ({ model: 'claude-sonnet-5-5', modelFrom: 'default', keyFrom: 'none', keyKept: null }),
      'judge.list': () => ({
        status: 'not run: no API key', model: null, judgements: [], waitingTotal: 1,
        waiting: [{ id: 5, eventId: 9, ts: T0, layer: 3, ruleId: null, model: 'claude', score: null, decision: 'open', phase: 'staging', severity: 'medium', family: null, reasoning: 'Layer 3 not run' }],
      }),
    });
    const { stores } = renderWithStores(<JudgeView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('judge-status').textContent).toMatch(/^Not run: no API key\./));
    expect(screen.getByTestId('judge-waiting-count').textContent).toBe('1');
    fireEvent.click(screen.getByRole('button', { name: '#9' }));
    expect(stores.app.getState()).toMatchObject({ view: 'events', focusEventId: 9 });
  });

  it('saves a key and a model in the settings, never shows the key, and can forget them', async () => {
    let saved = { model: null as string | null, key: false };
    const view = () => ({
      model: saved.model ?? 'claude-sonnet-5-5', modelFrom: saved.model ? 'settings' : 'default', keyFrom: saved.key ? 'settings' : 'none', keyKept: saved.key ? 'keychain' : null,
    });
    const { transport, calls } = fakeTransport({
      'settings.judge.get': view,
      'settings.judge.set': (a: { model?: string | null; apiKey?: string | null }) => {
        if (a.model !== undefined) saved = { ...saved, model: a.model };
        if (a.apiKey !== undefined) saved = { ...saved, key: a.apiKey !== null };
        return view();
      },
      'judge.list': () => ({ status: 'not run: no API key', model: null, judgements: [], waitingTotal: 0, waiting: [] }),
    });
    const { stores } = renderWithStores(<JudgeView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('judge-settings-line').textContent).toMatch(/API key: none/));
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'sk-ant-secret-0123456789' } });
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'claude-test-9' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByTestId('judge-settings-line').textContent).toMatch(/Model: claude-test-9 \(the app's settings\)\. API key: saved in the app's settings, encrypted/));
    expect(calls.find((c) => c.name === 'settings.judge.set')?.args).toEqual({ model: 'claude-test-9', apiKey: 'sk-ant-secret-0123456789' });
    expect((screen.getByLabelText('API key') as HTMLInputElement).value).toBe('');
    expect(document.body.textContent).not.toContain('sk-ant-secret');
    fireEvent.click(screen.getByRole('button', { name: 'Forget saved key' }));
    await waitFor(() => expect(screen.getByTestId('judge-settings-line').textContent).toMatch(/API key: none/));
  });
});

describe('Timeline view', () => {
  it('draws the chart (SVG renderer) and steps through alerts with j and k', async () => {
    const { transport } = fakeTransport({ 'timeline.get': () => timeline });
    const { stores } = renderWithStores(<TimelineView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    await waitFor(() => expect(screen.getByTestId('alert-count').textContent).toBe('3 alerts in view'));
    await waitFor(() => expect(screen.getByTestId('timeline-chart').dataset.rendered).toBe('true'), CHART_WAIT);
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

describe('Timeline zoom', () => {
  it('zooms in with =, back out with - up to the whole span, and resets with 0, re-querying each window', async () => {
    const { transport, calls } = fakeTransport({
      'timeline.get': (a: { from?: number; to?: number }) => (a.from === undefined ? timeline : { ...timeline, from: a.from, to: a.to! }),
    });
    const { stores } = renderWithStores(<TimelineView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE }));
    const zoomText = () => screen.getByTestId('zoom-window');
    await waitFor(() => expect(zoomText().dataset.to).toBe(String(T0 + 60 * MIN)));
    expect(zoomText().textContent).toBe('whole span');
    const windows = () => calls.filter((c) => c.name === 'timeline.get').map((c) => c.args as { from?: number; to?: number });
    const view = screen.getByTestId('timeline-view');
    fireEvent.keyDown(view, { key: '=' });
    await waitFor(() => expect(windows().at(-1)).toEqual({ buckets: 400, from: T0 + 15 * MIN, to: T0 + 45 * MIN }));
    // Short enough for the toolbar at 1280 px; the exact edges in the tooltip.
    expect(zoomText().textContent).toBe('12:15:00 – 12:45:00 (50.0%)');
    expect(zoomText().title).toBe('2024-05-01 12:15:00.000000Z – 2024-05-01 12:45:00.000000Z (50.0% of the span)');
    fireEvent.keyDown(view, { key: '=' });
    await waitFor(() => expect(windows().at(-1)).toMatchObject({ from: T0 + 22.5 * MIN, to: T0 + 37.5 * MIN }));
    fireEvent.keyDown(view, { key: '-' });
    await waitFor(() => expect(windows().at(-1)).toMatchObject({ from: T0 + 15 * MIN, to: T0 + 45 * MIN }));
    fireEvent.keyDown(view, { key: '-' });
    await waitFor(() => expect(windows().at(-1)).toEqual({ buckets: 400 }));
    expect(zoomText().textContent).toBe('whole span');
    expect((screen.getByRole('button', { name: 'Zoom out (-)' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Zoom in (=)' }));
    fireEvent.keyDown(view, { key: '=' });
    await waitFor(() => expect(windows().at(-1)).toMatchObject({ from: T0 + 22.5 * MIN }));
    fireEvent.keyDown(view, { key: '0' });
    await waitFor(() => expect(windows().at(-1)).toEqual({ buckets: 400 }));
    expect((screen.getByRole('button', { name: /Reset zoom/ }) as HTMLButtonElement).disabled).toBe(true);
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
