/**
 * Application state (zustand): the transport, the open case, the current view, the ingest in
 * progress, theme and time-zone choice. Views read slices of it; actions call the contract.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AnalysisProgressEvent,
  AppInfo,
  CaseInfo,
  CaseSummaryView,
  IngestFinishedEvent,
  IngestProgressEvent,
  RecentCase,
} from '../../../../contract/index.js';
import type { Transport } from '../transport/transport.js';
import type { TimeZoneMode } from '../format.js';
import { setAppState, signal } from '../readiness.js';

export const VIEWS = ['start', 'overview', 'timeline', 'events', 'checkpoints', 'judge', 'annotations'] as const;
export type ViewName = (typeof VIEWS)[number];
export type Theme = 'dark' | 'light';

export interface IngestState {
  jobId: string | null;
  bundlePath: string;
  progress: IngestProgressEvent | null;
  finished: IngestFinishedEvent | null;
}

export interface AppStoreState {
  transport: Transport;
  info: AppInfo | null;
  caseInfo: CaseInfo | null;
  summary: CaseSummaryView | null;
  recent: RecentCase[];
  view: ViewName;
  theme: Theme;
  tz: TimeZoneMode;
  ingest: IngestState | null;
  /** The analysis (triage + cascade) in progress after an ingest or on request; null when idle. */
  analysis: AnalysisProgressEvent | null;
  /** The last failure, in plain words, shown on the Start view. */
  error: string | null;
  /** Event the Events view should select and scroll to (set by the Timeline, Judge and Annotations views; taken by the Events view). */
  focusEventId: number | null;
  /** Whether the Overview shows its "Export report" panel (opened from the Overview or File → Export Report…). */
  exportPanelOpen: boolean;
  init(): Promise<void>;
  setView(view: ViewName): void;
  setTheme(theme: Theme): void;
  toggleTz(): void;
  openCase(path: string): Promise<void>;
  startIngest(bundlePath: string, casePath?: string): Promise<void>;
  refreshSummary(): Promise<void>;
  runAnalysis(): Promise<void>;
  showEvent(id: number): void;
  /** The Events view has taken focusEventId (so a later visit does not jump again). */
  focusHandled(): void;
  openExportPanel(): void;
  closeExportPanel(): void;
  clearError(): void;
}

export type AppStore = StoreApi<AppStoreState>;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createAppStore(transport: Transport, opts: { theme?: Theme } = {}): AppStore {
  const store = createStore<AppStoreState>()((set, get) => {
    const caseOpened = async (info: CaseInfo): Promise<void> => {
      set({ caseInfo: info, error: null });
      setAppState('case-open');
      signal('mlshield:case-opened', info);
      await get().refreshSummary();
    };
    return {
      transport,
      info: null,
      caseInfo: null,
      summary: null,
      recent: [],
      view: 'start',
      theme: opts.theme ?? 'dark',
      tz: 'utc',
      ingest: null,
      analysis: null,
      error: null,
      focusEventId: null,
      exportPanelOpen: false,

      async init() {
        setAppState('loading');
        transport.on('ingest.progress', (p) => {
          const cur = get().ingest;
          if (cur && (cur.jobId === null || cur.jobId === p.jobId)) set({ ingest: { ...cur, jobId: p.jobId, progress: p } });
        });
        transport.on('ingest.failed', (f) => {
          set({ error: f.message, ingest: null, analysis: null });
          setAppState(get().caseInfo ? 'case-open' : 'ready');
          // The job is over: whoever waits for the analysis learns that it failed, and why.
          signal('mlshield:analysis-finished', { jobId: f.jobId, ok: false, message: f.message });
        });
        transport.on('ingest.finished', (f) => {
          const cur = get().ingest;
          set({ ingest: { jobId: f.jobId, bundlePath: cur?.bundlePath ?? '', progress: cur?.progress ?? null, finished: f } });
          // The analysis follows in the same job; 'mlshield:analysis-finished' waits for it.
          set({ analysis: { jobId: '', stage: 'starting', done: 0, total: 1, elapsedSeconds: 0 } });
          // The Overview shows the case's counts at once and the summary when it arrives.
          const opened = caseOpened(f.case);
          set({ view: 'overview' });
          void opened;
        });
        transport.on('analysis.progress', (p) => set({ analysis: p }));
        transport.on('analysis.finished', (f) => {
          void get()
            .refreshSummary()
            .then(() => {
              set({ analysis: null });
              signal('mlshield:analysis-finished', { jobId: f.jobId, ok: true });
            });
        });
        transport.on('analysis.failed', (f) => {
          set({ analysis: null, error: f.message });
          signal('mlshield:analysis-finished', { jobId: f.jobId, ok: false, message: f.message });
        });
        transport.on('case.opened', (info) => {
          if (get().caseInfo?.path !== info.path && !get().ingest?.jobId) void caseOpened(info);
        });
        transport.on('menu.command', (m) => {
          if (m.command === 'show-view' && m.view && (VIEWS as readonly string[]).includes(m.view)) set({ view: m.view as ViewName });
          if (m.command === 'open-case' && m.path) void get().openCase(m.path);
          if (m.command === 'open-bundle' && m.path) void get().startIngest(m.path);
          if (m.command === 'export-report') get().openExportPanel();
        });
        try {
          const info = await transport.call('app.info', {});
          const recent = await transport.call('recent.list', {});
          set({ info, recent });
          setAppState('ready');
          signal('mlshield:app-ready', info);
          if (info.openCase) {
            const opened = caseOpened(info.openCase);
            set({ view: 'overview' });
            await opened;
          }
        } catch (err) {
          set({ error: message(err) });
          setAppState('ready');
          signal('mlshield:app-ready', null);
        }
      },

      setView: (view) => set({ view }),
      setTheme: (theme) => set({ theme }),
      toggleTz: () => set({ tz: get().tz === 'utc' ? 'local' : 'utc' }),

      async openCase(path) {
        try {
          const info = await transport.call('case.open', { path });
          const opened = caseOpened(info);
          set({ view: 'overview' });
          await opened;
          set({ recent: await transport.call('recent.list', {}) });
        } catch (err) {
          set({ error: message(err) });
        }
      },

      async startIngest(bundlePath, casePath) {
        set({ error: null, ingest: { jobId: null, bundlePath, progress: null, finished: null } });
        try {
          setAppState('ingesting');
          const started = await transport.call('ingest.start', casePath ? { bundlePath, casePath } : { bundlePath });
          const cur = get().ingest;
          // Events for this job may have arrived before the reply: keep them.
          if (cur && cur.jobId === null) set({ ingest: { ...cur, jobId: started.jobId } });
        } catch (err) {
          set({ error: message(err), ingest: null });
          setAppState(get().caseInfo ? 'case-open' : 'ready');
        }
      },

      async refreshSummary() {
        try {
          set({ summary: await transport.call('case.summary', {}) });
        } catch (err) {
          set({ error: message(err) });
        }
      },

      async runAnalysis() {
        try {
          set({ error: null, analysis: { jobId: '', stage: 'starting', done: 0, total: 1, elapsedSeconds: 0 } });
          await transport.call('analysis.run', {});
        } catch (err) {
          set({ error: message(err), analysis: null });
        }
      },

      showEvent: (id) => set({ focusEventId: id, view: 'events' }),
      focusHandled: () => set({ focusEventId: null }),
      // The report is of the open case: with none, say so where the analyst opens one.
      openExportPanel: () =>
        get().caseInfo ? set({ exportPanelOpen: true, view: 'overview' }) : set({ error: 'Open a case before exporting a report.', view: 'start' }),
      closeExportPanel: () => set({ exportPanelOpen: false }),
      clearError: () => set({ error: null }),
    };
  });
  return store;
}
