/**
 * Result and payload types of the workbench contract. Plain data only (JSON-serialisable): the same
 * values travel over Electron IPC (structured clone) and over HTTP/WebSocket (JSON).
 * Timestamps are UTC microseconds since the epoch, as in the case file.
 */

export interface AppInfo {
  version: string;
  /** 'electron' when a native shell can show file dialogs; 'http' when served by `mlshield serve`. */
  shell: 'electron' | 'http';
  /** The case open at start-up, if any. */
  openCase: CaseInfo | null;
}

export interface CaseInfo {
  path: string;
  schemaVersion: number;
  events: number;
  gpuSamples: number;
  sources: number;
}

export interface SourceRow {
  id: number;
  path: string;
  kind: string;
  status: string;
  read: number;
  stored: number;
  quarantined: number;
  note: string | null;
  /** What the archive reader noticed about this file (CRC mismatch, entry outside the central directory, …). */
  warnings: string[];
}

export interface CaseSummaryView {
  casePath: string;
  sources: SourceRow[];
  events: number;
  eventsBySource: Record<string, number>;
  gpuSamples: number;
  gpuSeries: number;
  quarantined: number;
  quarantineReasons: { reason: string; count: number }[];
  firstTs: number | null;
  lastTs: number | null;
  trajectories: number;
  topTrajectories: { job: string; events: number; firstTs: number; lastTs: number; actors: number }[];
  checkpoints: { path: string; kind: string; bytes: number; sha256: string | null }[];
  detections: number;
  detectionsByPhase: Record<string, number>;
  detectionsByLayer: Record<string, number>;
  /** Trajectories (jobs) with at least one alert, as `mlshield analyze` counts them. */
  flaggedTrajectories: number;
  families: { family: string; count: number }[];
  /** The latest finished cascade run (analysis_runs.summary), null before any analysis. */
  analysis: AnalysisRunView | null;
  /** Trajectories with at least one alert, most severe first; phases in time order. */
  flagged: FlaggedTrajectoryView[];
  /** Triage verdict per checkpoint of the case. */
  checkpointVerdicts: { path: string; format: string; verdict: string; findings: number }[];
}

/** The cascade funnel of one analysis run, as `mlshield analyze --json` reports it. */
export interface AnalysisRunView {
  runId: number;
  events: number;
  /** Shares of all events: cleared by Layer 1, reaching Layer 2, reaching Layer 3. */
  layers: { l1Cleared: number; l2Reached: number; l3Reached: number };
  counts: {
    l1: { cleared: number; alert: number; escalate: number; pass: number; passCleared: number };
    l2: { reached: number; cleared: number; alert: number; uncertain: number; unavailable: number };
    l3: { reached: number; alert: number; cleared: number; open: number; notRun: number; fromCache: number; inputTokens: number; outputTokens: number };
  };
  providers: { lstm: string; iforest: string };
  judge: { model: string | null; status: string };
  detections: number;
  seconds: number;
}

export interface FlaggedTrajectoryView {
  job: string;
  family: string | null;
  firstAlertTs: number;
  firstAlertPhase: string | null;
  alerts: number;
  phases: { phase: string; firstTs: number; alerts: number }[];
}

export interface AnalysisStarted {
  jobId: string;
}

export interface AnalysisProgressEvent {
  jobId: string;
  /** 'triage', 'rules', 'layer 1', 'models', … as the engine names its stages. */
  stage: string;
  done: number;
  total: number;
  elapsedSeconds: number;
}

export interface AnalysisFinishedEvent {
  jobId: string;
  run: AnalysisRunView;
  flaggedTrajectories: number;
  checkpointsTriaged: number;
}

export interface AnalysisFailedEvent {
  jobId: string;
  message: string;
}

export interface IngestStarted {
  jobId: string;
  bundlePath: string;
  /** Files found by a quick scan of a folder bundle (null for archives: known only while reading). */
  totalFiles: number | null;
}

export interface IngestProgressEvent {
  jobId: string;
  phase: 'reading' | 'indexing' | 'done';
  filesDone: number;
  totalFiles: number | null;
  currentFile: string;
  bytes: number;
  records: number;
  quarantined: number;
  /** Records per second since the start. */
  rate: number;
  elapsedSeconds: number;
  /** Estimated seconds left (from files done / total files); null when unknown. */
  etaSeconds: number | null;
}

export interface IngestFinishedEvent {
  jobId: string;
  case: CaseInfo;
  events: number;
  gpuSamples: number;
  quarantined: number;
  seconds: number;
  sources: { path: string; kind: string; status: string; read: number; stored: number; quarantined: number; note?: string }[];
}

export interface IngestFailedEvent {
  jobId: string;
  /** A sentence for a person, not a stack trace. */
  message: string;
}

export interface EventRow {
  id: number;
  ts: number;
  source: string;
  actor: string | null;
  action: string;
  resource: string | null;
  namespace: string | null;
  job: string | null;
  node: string | null;
  outcome: string | null;
  starred: boolean;
  /** Highest severity of the event's detections, if any. */
  severity: string | null;
}

export interface EventPage {
  rows: EventRow[];
  /** Rows matching the filters (all pages). */
  total: number;
  offset: number;
}

/** Where one event sits in the order of `events.query` under the same filters, search and sort. */
export interface EventPosition {
  /** Zero-based row index (the `offset` of the page that holds it); null when the filters hide the event or it does not exist. */
  index: number | null;
}

export interface DetectionRow {
  id: number;
  eventId: number | null;
  ts: number;
  layer: number;
  ruleId: string | null;
  model: string | null;
  score: number | null;
  decision: string;
  phase: string | null;
  severity: string;
  family: string | null;
  reasoning: string | null;
}

export interface JudgementRow {
  id: number;
  verdict: string | null;
  confidence: number | null;
  family: string | null;
  phase: string | null;
  reasoning: string | null;
  prompt: string;
  model: string;
  inputTokens: number | null;
  outputTokens: number | null;
  status: string;
  createdAt: string;
}

export interface Annotation {
  targetKind: 'event' | 'checkpoint' | 'detection';
  targetId: number;
  starred: boolean;
  tags: string[];
  comment: string;
  updatedAt: string | null;
}

export interface EventDetail {
  event: EventRow & { gpu: string | null; attrs: Record<string, unknown>; auditId: string | null; stages: number };
  raw: string | null;
  source: { id: number; path: string; kind: string; line: number; offset: number };
  detections: DetectionRow[];
  judgements: JudgementRow[];
  annotation: Annotation;
}

export interface TimelineDetection {
  id: number;
  eventId: number | null;
  ts: number;
  phase: string;
  severity: string;
  layer: number;
  label: string;
  job: string | null;
}

export interface TimelineSeries {
  field: string;
  /** Per bucket: mean and max across every GPU carrying the field (null: no sample in the bucket). */
  mean: (number | null)[];
  max: (number | null)[];
}

export interface Timeline {
  from: number;
  to: number;
  bucketUs: number;
  /** Start time of each bucket. */
  buckets: number[];
  phases: string[];
  detections: TimelineDetection[];
  /** Events per bucket (all sources), so the axis shows activity before any detection exists. */
  eventCounts: number[];
  gpu: TimelineSeries[];
  gpuFields: string[];
}

export interface AnnotatedItem extends Annotation {
  /** One line describing the target (the event's time, actor, action, resource). */
  label: string;
  ts: number | null;
}

export interface CheckpointRow {
  id: number;
  path: string;
  format: string;
  sha256: string | null;
  /** 'pending' until the triage has looked at it. */
  verdict: string;
  findings: number;
}

/** The checkpoint inspector's data (checkpoints.report JSON and the tensors / findings rows). */
export interface CheckpointDetail {
  id: number;
  path: string;
  format: string;
  sha256: string | null;
  verdict: string;
  size: number | null;
  findings: { id: string; severity: string; message: string; location: string | null }[];
  imports: { module: string; name: string; opcodeOffset: number; classification: string; severity: string | null; pickle: string | null }[];
  tensors: CheckpointTensor[];
  /** Tensors in the checkpoint (the list holds at most the first few thousand). */
  tensorsTotal: number;
  /** Label of every aligned histogram bin (analysis/triage/tensors/histogram.ts binLabel). */
  binLabels: string[];
}

export interface CheckpointTensor {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  nan: number;
  inf: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  absMax: number | null;
  /** Counts per aligned bin; null when the dtype has no statistics. */
  histogram: number[] | null;
}

/** The Judge view: Layer-3 verdicts and what still waits for one. */
export interface JudgeOverview {
  /** The latest run's judge status: 'available', 'not run: no API key', 'not run: disabled'; null before any analysis. */
  status: string | null;
  model: string | null;
  judgements: (JudgementRow & { eventId: number | null; fromCache: boolean })[];
  /** Detections left open at Layer 3, or sent on by Layer 2 without a judgement. */
  waiting: DetectionRow[];
  waitingTotal: number;
}

export interface RecentCase {
  path: string;
  openedAt: string;
}

/** A report written by `report.export`: where, how large, and its SHA-256 (for the custody log). */
export interface ReportExported {
  path: string;
  format: 'html' | 'pdf' | 'json' | 'sarif' | 'jsonl';
  bytes: number;
  sha256: string;
}

/**
 * Where the LLM judge's model and API key come from (issue 3: flag, environment or the app's
 * settings). The key itself never crosses the contract: only where it comes from.
 */
export interface JudgeSettingsView {
  model: string;
  modelFrom: 'settings' | 'environment' | 'default';
  keyFrom: 'settings' | 'environment' | 'none';
  /**
   * Where a key saved in settings is kept (null: none saved): sealed by the system keychain (the
   * desktop app), in a settings file only its owner can read, or in the server's memory until it stops.
   */
  keyKept: 'keychain' | 'file' | 'memory' | null;
}
