/**
 * The one typed shape every report format renders from (HTML, PDF, JSON, SARIF, the custody
 * section). Built from the case by report-model.ts; documented for machines by report.schema.json
 * (kept in step with this file by report-json.test.ts). Times are ISO 8601 UTC with microseconds
 * next to the case's integer microseconds, so nothing is lost and a person can read them.
 */

export const REPORT_SCHEMA_ID = 'https://mlshield.dev/schemas/forensic-report/v1.json';
export const REPORT_FORMAT_VERSION = 1;

export interface SourceEntry {
  id: number;
  path: string;
  kind: string;
  bytes: number;
  sha256: string | null;
  status: string;
  note: string | null;
  read: number;
  stored: number;
  quarantined: number;
}

export interface ReportSummary {
  incidentId: string | null;
  cluster: string | null;
  events: number;
  eventsBySource: Record<string, number>;
  gpuSamples: number;
  sources: number;
  sourcesRefused: number;
  quarantined: number;
  quarantineReasons: { reason: string; count: number }[];
  firstTs: string | null;
  lastTs: string | null;
  trajectories: number;
  flaggedTrajectories: number;
  detections: number;
  alerts: number;
  escalations: number;
  families: { family: string; alerts: number }[];
  checkpoints: number;
  checkpointFindings: number;
  annotations: number;
  /** One paragraph for a reader who reads nothing else. */
  headline: string;
}

export interface PhaseLane {
  phase: string;
  alerts: number;
  firstTs: string;
  lastTs: string;
  /** Alerts per bucket of the report's timeline axis. */
  buckets: number[];
}

export interface ReportTimeline {
  from: string | null;
  to: string | null;
  fromMicros: number | null;
  toMicros: number | null;
  bucketCount: number;
  phases: PhaseLane[];
  trajectories: {
    job: string;
    family: string | null;
    alerts: number;
    firstAlertTs: string;
    firstAlertPhase: string | null;
    firstAlertLayer: number;
    phases: { phase: string; firstTs: string; alerts: number }[];
  }[];
}

export interface FunnelStage {
  stage: string;
  events: number;
}

export interface ReportCascade {
  runId: number;
  startedAt: string;
  finishedAt: string | null;
  toolVersion: string;
  device: string | null;
  events: number;
  funnel: FunnelStage[];
  l1: { cleared: number; alert: number; escalate: number; pass: number };
  l2: { reached: number; cleared: number; alert: number; uncertain: number; unavailable: number };
  l3: { reached: number; alert: number; cleared: number; open: number; notRun: number };
  /** `unscored`: windows the Isolation Forest did not score (unavailable, failed or non-finite), with why. */
  gpu: { windows: number; ruleAlerts: number; forestAlerts: number; unscored: number; unscoredReason: string | null };
  providers: { lstm: string; iforest: string };
  judge: { model: string | null; status: string };
  totalSeconds: number | null;
}

/** Ground-truth scores, present only when the run was analysed with labels (`analyze --labels`). */
export interface ReportMetrics {
  eir0: number;
  eir5: number;
  gapMedianEvents: number | null;
  gapMeanEvents: number | null;
  gapP90Events: number | null;
  gapMedianSeconds: number | null;
  damagePrevented: number;
  attacks: number;
  detected: number;
  missed: number;
  precision: number | null;
  recall: number | null;
}

export interface AlertEntry {
  detectionId: number;
  eventId: number | null;
  ts: string;
  tsMicros: number;
  layer: number;
  ruleId: string | null;
  model: string | null;
  score: number | null;
  decision: string;
  phase: string | null;
  severity: string;
  family: string | null;
  job: string | null;
  reasoning: string | null;
  attack: string[];
  atlas: string[];
  /** Provenance back to the input: the source file inside the bundle and its 1-based line. */
  source: { path: string; line: number; sha256: string | null } | null;
  raw: string | null;
  rawTruncated: boolean;
}

export interface HeatmapEntry {
  tensors: string[];
  binLabels: string[];
  /** Per tensor, per bin: log-scaled share of the tensor's row maximum, 0…1. */
  cells: number[][];
}

export interface CheckpointEntry {
  id: number;
  path: string;
  format: string;
  sha256: string;
  verdict: string;
  triagedAt: string;
  findings: { id: string; severity: string; message: string; location: string | null }[];
  tensors: number;
  heatmap: HeatmapEntry | null;
}

export interface JudgementEntry {
  id: number;
  eventId: number | null;
  model: string;
  promptHash: string;
  verdict: string | null;
  confidence: number | null;
  family: string | null;
  phase: string | null;
  reasoning: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  status: string;
  createdAt: string;
}

export interface AnnotationEntry {
  targetKind: string;
  targetId: number;
  label: string;
  starred: boolean;
  tags: string[];
  comment: string;
  author: string | null;
  updatedAt: string;
}

export interface CustodyEntry {
  inputs: { path: string; kind: string; bytes: number; sha256: string | null; status: string }[];
  tool: { name: string; version: string };
  ruleFiles: { path: string; sha256: string }[];
  modelFiles: { path: string; sha256: string | null; bytes: number | null }[];
  analysis: { runId: number; startedAt: string; finishedAt: string | null; toolVersion: string } | null;
  caseFile: { path: string; schemaVersion: number };
  exportedBy: { user: string; host: string };
  exportedAt: string;
}

export interface ForensicReport {
  $schema: typeof REPORT_SCHEMA_ID;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  title: string;
  generatedAt: string;
  summary: ReportSummary;
  sources: SourceEntry[];
  timeline: ReportTimeline;
  cascade: ReportCascade | null;
  metrics: ReportMetrics | null;
  alerts: AlertEntry[];
  /** Alerts in the case; `alerts` lists at most the report's limit, most severe first. */
  alertsTotal: number;
  checkpoints: CheckpointEntry[];
  judgements: JudgementEntry[];
  annotations: AnnotationEntry[];
  custody: CustodyEntry;
}
