/**
 * The engine side of the workbench contract: one open case file, the queries behind each view,
 * annotations, and ingest jobs run by an IngestRunner (a worker thread in the shells). The
 * Electron main process and `mlshield serve` both wrap this class; neither holds SQL of its own.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CaseStore } from '../store/case-store.js';
import { summarizeCase } from '../store/case-summary.js';
import type { AnalysisStarted, CaseInfo, CaseSummaryView, CheckpointRow, EventPayloads, EventName, IngestStarted, JudgeSettingsView, ReportExported } from '../../contract/index.js';
import type { ParsedArgs } from '../../contract/calls.js';
import { queryEvents, eventDetail, eventPosition, distinctValues } from './event-queries.js';
import { timeline } from './timeline-query.js';
import { getAnnotation, listAnnotations, setAnnotation } from './annotations.js';
import { searchIndexIsFresh } from './search-index.js';
import { storeSeedEvent, type SeedEvent } from './app-event-intake.js';
import { cascadeStats, recentAlerts, recentAppEvents } from './monitoring.js';
import { countBundleFiles } from './bundle-scan.js';
import { plainError } from './plain-error.js';
import type { IngestRunner, RunnerProgress } from './ingest-runner.js';
import { checkpointVerdicts, flaggedView, latestAnalysisRun } from './analysis-view.js';
import { checkpointDetail, CheckpointNotFound } from './checkpoint-detail.js';
import { judgeOverview } from './judge-queries.js';
import { judgeSettingsView, memoryJudgeSettings, type JudgeSettingsPatch, type JudgeSettingsStore } from './judge-settings.js';
import { exportReport, type PdfPrinter } from '../report/report-export.js';

export type ServiceListener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

/** An error whose message is meant for the analyst as it is. */
export class UserError extends Error {}

export interface WorkbenchServiceOptions {
  runner: IngestRunner;
  /** Where a case file is created when a bundle is opened with no case open. */
  caseDirectory: string;
  /** Prints the HTML report to PDF (Electron's printToPDF in the desktop app); default: headless Chromium. */
  printPdf?: PdfPrinter;
  /** The judge's saved model and API key (judge-settings.ts); default: kept for this process only. */
  judgeSettings?: JudgeSettingsStore;
}

export class WorkbenchService {
  private store: CaseStore | null = null;
  private casePath: string | null = null;
  private ftsFresh = false;
  private running: Promise<void> | null = null;
  private jobCounter = 0;
  private readonly listeners = new Set<ServiceListener>();

  private readonly judgeSettings: JudgeSettingsStore;

  constructor(private readonly opts: WorkbenchServiceOptions) {
    this.judgeSettings = opts.judgeSettings ?? memoryJudgeSettings();
  }

  /** The judge's model and where it and the key come from (the key is never returned). */
  judgeSettingsView(): JudgeSettingsView {
    return judgeSettingsView(this.judgeSettings.get(), this.judgeSettings.keeping);
  }

  /** Saves or forgets the judge's model and key; the next analysis uses them. */
  setJudgeSettings(patch: JudgeSettingsPatch): JudgeSettingsView {
    try {
      return judgeSettingsView(this.judgeSettings.set(patch), this.judgeSettings.keeping);
    } catch (err) {
      throw new UserError(`The settings could not be saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  on(listener: ServiceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        /* a broken listener (a closed socket) must not stop the others */
      }
    }
  }

  openCase(path: string): CaseInfo {
    const abs = resolve(path);
    if (this.running) throw new UserError('An ingest is running; open another case when it has finished.');
    let store: CaseStore;
    try {
      store = CaseStore.open(abs);
    } catch (err) {
      throw new UserError(plainError(err, `The case file ${abs}`));
    }
    this.store?.close();
    this.store = store;
    this.casePath = abs;
    this.ftsFresh = searchIndexIsFresh(store);
    const info = this.caseInfo()!;
    this.emit('case.opened', info);
    return info;
  }

  caseInfo(): CaseInfo | null {
    if (!this.store || !this.casePath) return null;
    const db = this.store.db;
    const n = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return {
      path: this.casePath,
      schemaVersion: this.store.schemaVersion(),
      events: n('SELECT COUNT(*) AS n FROM events'),
      gpuSamples: n('SELECT COUNT(*) AS n FROM gpu_samples'),
      sources: n('SELECT COUNT(*) AS n FROM sources'),
    };
  }

  private requireStore(): CaseStore {
    if (!this.store) throw new UserError('No case is open. Open a case file or an incident bundle first.');
    return this.store;
  }

  summary(): CaseSummaryView {
    const store = this.requireStore();
    const db = store.db;
    const s = summarizeCase(db);
    const ids = db.prepare('SELECT id FROM sources ORDER BY id').all() as { id: number }[];
    const byPhase = db.prepare("SELECT COALESCE(phase, 'other') AS k, COUNT(*) AS n FROM detections WHERE decision <> 'clear' GROUP BY k").all() as { k: string; n: number }[];
    const byLayer = db.prepare('SELECT layer AS k, COUNT(*) AS n FROM detections GROUP BY layer').all() as { k: number; n: number }[];
    const families = db
      .prepare("SELECT family, COUNT(*) AS count FROM detections WHERE family IS NOT NULL AND decision <> 'clear' GROUP BY family ORDER BY count DESC")
      .all() as { family: string; count: number }[];
    const flagged = flaggedView(db);
    return {
      ...s,
      casePath: this.casePath!,
      sources: s.sources.map((src, i) => ({ id: ids[i]?.id ?? i + 1, ...src })),
      detections: byLayer.reduce((a, r) => a + r.n, 0),
      detectionsByPhase: Object.fromEntries(byPhase.map((r) => [r.k, r.n])),
      detectionsByLayer: Object.fromEntries(byLayer.map((r) => [String(r.k), r.n])),
      flaggedTrajectories: flagged.total,
      families,
      analysis: latestAnalysisRun(db),
      flagged: flagged.list,
      checkpointVerdicts: checkpointVerdicts(db),
    };
  }

  /** Starts an ingest and returns at once; progress, the result or a failure arrive as events. */
  async startIngest(args: ParsedArgs<'ingest.start'>): Promise<IngestStarted> {
    if (this.running) throw new UserError('An ingest is already running; wait for it to finish.');
    const bundlePath = resolve(args.bundlePath);
    let totalFiles: number | null;
    try {
      totalFiles = await countBundleFiles(bundlePath);
    } catch (err) {
      throw new UserError(plainError(err, `The bundle ${bundlePath}`));
    }
    const casePath = args.casePath
      ? resolve(args.casePath)
      : (this.casePath ?? join(this.opts.caseDirectory, `${basename(bundlePath).replace(/\.(zip|tar|tgz|tar\.gz|gz)$/i, '')}.mlshield.sqlite`));
    if (casePath !== this.casePath) this.openCase(casePath);
    const jobId = `ingest-${++this.jobCounter}`;
    const started = Date.now();
    const onProgress = (p: RunnerProgress): void => {
      const done = p.filesDone;
      const eta = totalFiles && done > 0 && p.phase === 'reading' ? ((Date.now() - started) / 1000) * ((totalFiles - done) / done) : null;
      this.emit('ingest.progress', { jobId, ...p, totalFiles, etaSeconds: eta === null ? null : Math.max(0, eta) });
    };
    this.running = this.opts.runner
      .run({ bundlePath, casePath }, onProgress)
      .then(async (outcome) => {
        this.ftsFresh = this.store ? searchIndexIsFresh(this.store) : false;
        this.emit('ingest.progress', {
          jobId, phase: 'done', filesDone: outcome.sources.length, totalFiles, currentFile: '', bytes: 0,
          records: outcome.sources.reduce((a, s) => a + s.read, 0), quarantined: outcome.quarantined, rate: 0,
          elapsedSeconds: outcome.seconds, etaSeconds: 0,
        });
        this.emit('ingest.finished', { jobId, case: this.caseInfo()!, ...outcome });
        // The analysis follows in the same job: the case is not "done" until the cascade has run.
        await this.analyze(casePath, `analysis-${this.jobCounter}`);
        this.running = null;
      })
      .catch((err: unknown) => {
        this.running = null;
        this.emit('ingest.failed', { jobId, message: plainError(err, `The bundle ${bundlePath}`) });
      });
    return { jobId, bundlePath, totalFiles };
  }

  /** Re-runs checkpoint triage and the cascade over the open case; the result arrives as events. */
  runAnalysis(): AnalysisStarted {
    this.requireStore();
    if (this.running) throw new UserError('An ingest or analysis is already running; wait for it to finish.');
    const jobId = `analysis-${++this.jobCounter}`;
    this.running = this.analyze(this.casePath!, jobId).finally(() => {
      this.running = null;
    });
    return { jobId };
  }

  /** Runs the analysis in the runner and reports it; never rejects (a failure is an event). */
  private async analyze(casePath: string, jobId: string): Promise<void> {
    try {
      const outcome = await this.opts.runner.analyze({ casePath, judge: this.judgeSettings.get() }, (p) => this.emit('analysis.progress', { jobId, ...p }));
      this.emit('analysis.finished', { jobId, ...outcome });
    } catch (err) {
      this.emit('analysis.failed', { jobId, message: `The analysis did not finish: ${plainError(err, `The case file ${casePath}`)}` });
    }
  }

  /** Resolves when no ingest is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  queryEvents(q: ParsedArgs<'events.query'>) {
    return queryEvents(this.requireStore().db, q, this.ftsFresh);
  }

  /** Where an event sits in the Events table's current order (the Timeline's jump scrolls there). */
  eventPosition(q: ParsedArgs<'events.position'>) {
    return eventPosition(this.requireStore().db, q, this.ftsFresh);
  }

  eventDetail(id: number) {
    try {
      return eventDetail(this.requireStore().db, id);
    } catch (err) {
      throw err instanceof Error && err.constructor.name === 'NotFoundError' ? new UserError(err.message) : err;
    }
  }

  distinct(q: ParsedArgs<'events.distinct'>) {
    return distinctValues(this.requireStore().db, q.field, q.limit);
  }

  timeline(q: ParsedArgs<'timeline.get'>) {
    return timeline(this.requireStore().db, q);
  }

  getAnnotation(q: ParsedArgs<'annotations.get'>) {
    return getAnnotation(this.requireStore().db, q.targetKind, q.targetId);
  }

  setAnnotation(q: ParsedArgs<'annotations.set'>) {
    const a = setAnnotation(this.requireStore().db, q);
    this.emit('annotations.changed', { targetKind: q.targetKind, targetId: q.targetId });
    return a;
  }

  listAnnotations() {
    return listAnnotations(this.requireStore().db);
  }

  /** Triaged checkpoints, and checkpoint sources the triage has not reached yet ('pending'). */
  listCheckpoints(): CheckpointRow[] {
    const db = this.requireStore().db;
    return db
      .prepare(
        `SELECT c.id, c.path, c.format, c.sha256, c.verdict, (SELECT COUNT(*) FROM findings f WHERE f.checkpoint_id = c.id) AS findings
         FROM checkpoints c
         UNION ALL
         SELECT -s.id, s.path, s.kind, s.sha256, 'pending', 0 FROM sources s
         WHERE s.kind LIKE 'checkpoint_%' AND s.status = 'ok' AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.source_id = s.id)
         ORDER BY 2`,
      )
      .all() as CheckpointRow[];
  }

  judgeOverview() {
    return judgeOverview(this.requireStore().db);
  }

  /** One triaged checkpoint for the inspector. */
  checkpointDetail(id: number) {
    try {
      return checkpointDetail(this.requireStore().db, id);
    } catch (err) {
      throw err instanceof CheckpointNotFound ? new UserError(err.message) : err;
    }
  }

  /** Writes the forensic report of the open case (analysis/report) and returns its size and SHA-256. */
  async exportReport(args: ParsedArgs<'report.export'>): Promise<ReportExported> {
    const store = this.requireStore();
    if (this.running) throw new UserError('An ingest is running; export the report when it has finished.');
    const outPath = resolve(args.path);
    if (outPath === this.casePath) throw new UserError('The report would overwrite the case file; choose another name.');
    try {
      const r = await exportReport(store.db, {
        format: args.format,
        outPath,
        casePath: this.casePath!,
        schemaVersion: store.schemaVersion(),
        ...(this.opts.printPdf ? { printPdf: this.opts.printPdf } : {}),
      });
      return { path: r.path, format: r.format, bytes: r.bytes, sha256: r.sha256 };
    } catch (err) {
      throw new UserError(plainError(err, `The report ${outPath}`));
    }
  }

  // ---- the seed's monitoring API (mlshield serve) ----

  storeAppEvent(e: SeedEvent): { id: number; ts: number } {
    if (this.running) throw new UserError('An ingest is running; post events when it has finished.');
    return storeSeedEvent(this.requireStore(), e);
  }

  stats() {
    return this.store ? cascadeStats(this.store.db) : null;
  }

  alerts(limit = 100) {
    return this.store ? recentAlerts(this.store.db, limit) : [];
  }

  recentAppEvents(limit = 100) {
    return this.store ? recentAppEvents(this.store.db, limit) : [];
  }

  close(): void {
    this.store?.close();
    this.store = null;
    this.casePath = null;
  }
}
