/**
 * Layer 2 of the cascade: the LSTM over each trajectory's last SEQUENCE_LENGTH events (features of
 * analysis/models/event-features.ts, the same code the training used) and the Isolation Forest over
 * GPU windows, both through onnxruntime-node. Bands come from the checked-in training report.
 * Trajectories stream in (job, ts) order, read back from the case or kept by Layer 1's pass within
 * its budget (kept-trajectories.ts); scoring holds one trajectory's window, not the case.
 */
import type { Db } from '../store/case-store.js';
import { EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, TrajectoryFeaturizer, buildFeatureContext, type FeatureContext } from '../models/event-features.js';
import { GPU_FEATURE_COUNT, type GpuWindow as ModelWindow } from '../models/gpu-features.js';
import { scoreGpuWindows, scoreSequences } from '../models/onnx-runtime.js';
import { bandDecision } from '../models/training-metrics.js';
import { releaseLayer2Models, type Layer2Models } from '../models/layer2-models.js';
import { caseEvents, EVENT_COLUMNS_NO_RAW, readAhead, toCaseEvent, type CaseEvent, type EventRow } from './case-events.js';
import type { GpuWindowTable } from './case-gpu-windows.js';

export type { Layer2Models };

export type Band = 'clear' | 'alert' | 'escalate' | 'unavailable';
type EventCallback = (e: CaseEvent, score: number | null, band: Band, window: CaseEvent[]) => void;

const BATCH = 2048;
/** Job-less trajectories read back one query each at most (see trajectoryRows). */
const MAX_ACTOR_QUERIES = 16;
/**
 * Trajectory keys are tagged by kind: `job:<job>` for an event with a job, `actor:<actor>` for one
 * without. The tags differ in their first byte and neither is a prefix of the other, so no job
 * name (app events' job_id is attacker-written) can give the key of an actor's job-less events,
 * whatever it contains. A missing actor keys as the empty one (ingest stores no empty actor).
 */
const JOB_KEY_PREFIX = 'job:';
const ACTOR_KEY_PREFIX = 'actor:';
/** trajectoryKey in SQL, for the whole-case pass that groups rows by it (same bytes, same order). */
const TRAJECTORY_KEY_SQL = `CASE WHEN job IS NULL THEN '${ACTOR_KEY_PREFIX}' || COALESCE(actor, '') ELSE '${JOB_KEY_PREFIX}' || job END`;

/** The trajectory an event belongs to for Layer 2: its job, else its actor (tagged: see JOB_KEY_PREFIX). */
export function trajectoryKey(e: { job: string | null; actor: string | null }): string {
  return e.job !== null ? JOB_KEY_PREFIX + e.job : ACTOR_KEY_PREFIX + (e.actor ?? '');
}

/** The key of a job's trajectory (e.g. a GPU window's job). */
export function jobTrajectoryKey(job: string): string {
  return JOB_KEY_PREFIX + job;
}

/** What a trajectory key names: a job, or the job-less events of an actor ('' for none). */
export function parseTrajectoryKey(key: string): { job: string } | { actor: string } | null {
  if (key.startsWith(JOB_KEY_PREFIX)) return { job: key.slice(JOB_KEY_PREFIX.length) };
  if (key.startsWith(ACTOR_KEY_PREFIX)) return { actor: key.slice(ACTOR_KEY_PREFIX.length) };
  return null;
}

/** What scoring the GPU windows gave: alerts, and the windows left unscored with why. */
export interface GpuWindowScoring {
  alerts: number;
  unscored: number;
  /** One short reason (null when every window was scored). */
  unscoredReason: string | null;
}

/** Reasons end up on one summary line: the first line, bounded (a runtime error can be long). */
const MAX_REASON = 160;
function shortReason(text: string): string {
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}

export interface ScoreEventsOptions {
  /** The case's feature context, when the caller built it already (FeatureContextBuilder). */
  context?: FeatureContext;
  /** Every trajectory key (trajectoryKey) holding an event to score; null or absent: read the whole case. */
  trajectories?: ReadonlySet<string> | null;
  /**
   * Every event of each trajectory in `trajectories`, in (ts, id) order, as the caller read them
   * (kept-trajectories.ts): nothing is read back. Null or absent: read back from the case.
   */
  kept?: ReadonlyMap<string, readonly CaseEvent[]> | null;
}

/** Trajectory keys in byte order (SQLite's order of the keys' text). */
function inByteOrder(keys: ReadonlySet<string>): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The kept events of the named trajectories, grouped as trajectoryRows groups rows. */
function* keptEvents(kept: ReadonlyMap<string, readonly CaseEvent[]>, only: ReadonlySet<string>): Generator<CaseEvent> {
  for (const k of inByteOrder(only)) yield* kept.get(k) ?? [];
}

/** Earlier events kept per trajectory for the judge's context. */
const JUDGE_WINDOW = 20;

export class Layer2Scorer {
  constructor(
    private readonly models: Layer2Models,
    private readonly db: Db,
  ) {}

  /**
   * Scores every event whose outcome equals `code`, calling back in trajectory order (trajectory
   * keys in byte order, then time), with the event and its trajectory's earlier events, their
   * `raw` null. `opts.trajectories`, when given, names every trajectory holding
   * such an event (the caller saw them while deciding the outcomes): only those trajectories are read
   * back, each from its first event (the features carry state along a trajectory); `opts.context`
   * spares the pass over the whole case that builds the feature context.
   */
  async scoreEvents(outcomes: Uint8Array, code: number, cb: EventCallback, opts: ScoreEventsOptions = {}): Promise<void> {
    const lstm = this.models.lstm;
    const bands = this.models.lstmBands;
    const usable = lstm.status === 'loaded' && bands !== null;
    const context = usable ? (opts.context ?? buildFeatureContext(caseEvents(this.db, { audit: false }))) : null;
    const d = EVENT_FEATURE_COUNT;
    const stride = SEQUENCE_LENGTH * d;
    const ring = new Float32Array(stride); // the trajectory's last SEQUENCE_LENGTH feature rows
    const batch = new Float32Array(BATCH * stride);
    let pending: { e: CaseEvent; window: CaseEvent[] }[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const r = await scoreSequences(lstm, batch.subarray(0, pending.length * stride), pending.length, SEQUENCE_LENGTH, d);
      for (let i = 0; i < pending.length; i++) {
        const p = pending[i]!;
        if (r.status !== 'scored') cb(p.e, null, 'unavailable', p.window);
        else {
          const s = r.scores[i]!;
          // A non-finite score is a broken model, not a verdict: the event is reported unscored
          // (bandDecision would only escalate it, and the score would read as a real one).
          if (Number.isFinite(s)) cb(p.e, s, bandDecision(s, bands!), p.window);
          else cb(p.e, null, 'unavailable', p.window);
        }
      }
      pending = [];
    };

    let key: string | null = null;
    let featurizer: TrajectoryFeaturizer | null = null;
    let recent: CaseEvent[] = [];
    // Features and the judge's window read the normalised attrs and the raw text, never attrs.audit.
    const only = opts.trajectories ?? null;
    const events = opts.kept && only ? keptEvents(opts.kept, only) : readAhead(this.trajectoryRows(only), (row) => toCaseEvent(row, false));
    for (const e of events) {
      const k = trajectoryKey(e);
      if (k !== key) {
        key = k;
        featurizer = usable ? new TrajectoryFeaturizer(context!) : null;
        ring.fill(0);
        recent = [];
      }
      if (featurizer) {
        // Shift the ring left by one row and write this event's row last (left padding stays zero).
        ring.copyWithin(0, d);
        featurizer.next(e, ring, stride - d);
      }
      if (outcomes[e.id] === code) {
        const window = recent.slice();
        if (!usable) cb(e, null, 'unavailable', window);
        else {
          batch.set(ring, pending.length * stride);
          pending.push({ e, window });
          if (pending.length === BATCH) await flush();
        }
      }
      recent.push(e);
      if (recent.length > JUDGE_WINDOW) recent.shift();
    }
    if (usable) await flush();
  }

  /**
   * Event rows grouped by trajectory, keys in byte order (SQLite's), each trajectory in (ts, id)
   * order: the whole case, or only the named trajectories, one query each — a job's through the
   * (job, ts, actor) index; a job-less one (keyed by its actor) scans the job-less events, so past
   * MAX_ACTOR_QUERIES of those one pass over the whole case is cheaper. (One connection cannot step
   * two queries at once, so the queries run one after the other.)
   */
  private *trajectoryRows(only: ReadonlySet<string> | null): Generator<EventRow> {
    // Without the raw record (~1 KB an audit event): nothing here reads it, and the events the
    // judge sees get theirs afterwards (cascade-runner.ts judgeEvent).
    const cols = EVENT_COLUMNS_NO_RAW;
    const keys = only === null ? null : inByteOrder(only);
    if (keys === null || keys.filter((k) => k.startsWith(ACTOR_KEY_PREFIX)).length > MAX_ACTOR_QUERIES) {
      yield* this.db.prepare(`SELECT ${cols} FROM events ORDER BY ${TRAJECTORY_KEY_SQL}, ts, id`).raw(true).iterate() as IterableIterator<EventRow>;
      return;
    }
    const byJob = this.db.prepare(`SELECT ${cols} FROM events WHERE job = ? ORDER BY ts, id`).raw(true);
    const byActor = this.db.prepare(`SELECT ${cols} FROM events WHERE job IS NULL AND COALESCE(actor, '') = ? ORDER BY ts, id`).raw(true);
    for (const k of keys) {
      const t = parseTrajectoryKey(k);
      if (t === null) continue; // not a key trajectoryKey makes: names no event
      if ('job' in t) yield* byJob.iterate(t.job) as IterableIterator<EventRow>;
      else yield* byActor.iterate(t.actor) as IterableIterator<EventRow>;
    }
  }

  /**
   * Scores GPU windows with the Isolation Forest; calls back for those in its alert band. Windows
   * it could not score (no model or bands, a failed run, a non-finite score: a broken model, not a
   * verdict) are counted with one short reason, so a silent forest shows in the summary.
   */
  async scoreGpuWindows(windows: GpuWindowTable, onAlert: (w: ModelWindow, score: number) => void): Promise<GpuWindowScoring> {
    const forest = this.models.iforest;
    const bands = this.models.iforestBands;
    const n = windows.length;
    if (n === 0) return { alerts: 0, unscored: 0, unscoredReason: null };
    if (forest.status !== 'loaded') return { alerts: 0, unscored: n, unscoredReason: shortReason(`Isolation Forest unavailable: ${forest.reason}`) };
    if (!bands) return { alerts: 0, unscored: n, unscoredReason: 'Isolation Forest has no score bands' };
    const r = await scoreGpuWindows(forest, windows.featureMatrix(), n, GPU_FEATURE_COUNT);
    if (r.status !== 'scored') return { alerts: 0, unscored: n, unscoredReason: shortReason(`Isolation Forest run failed: ${r.reason}`) };
    let alerts = 0;
    let unscored = 0;
    for (let i = 0; i < n; i++) {
      const s = r.scores[i]!;
      // A non-finite score is no judgement of the forest's: counted as unscored (bandDecision never clears or alerts on it).
      if (!Number.isFinite(s)) unscored++;
      else if (bandDecision(s, bands) === 'alert') {
        alerts++;
        onAlert(windows.modelWindow(i), s);
      }
    }
    return { alerts, unscored, unscoredReason: unscored > 0 ? 'non-finite Isolation Forest score' : null };
  }

  async release(): Promise<void> {
    await releaseLayer2Models(this.models);
  }
}
