/**
 * Layer 2 of the cascade: the LSTM over each trajectory's last SEQUENCE_LENGTH events (features of
 * analysis/models/event-features.ts, the same code the training used) and the Isolation Forest over
 * GPU windows, both through onnxruntime-node. Bands come from the checked-in training report.
 * Trajectories stream in (job, ts) order, so memory holds one trajectory's window, not the case.
 */
import type { Db } from '../store/case-store.js';
import { EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, TrajectoryFeaturizer, buildFeatureContext } from '../models/event-features.js';
import { GPU_FEATURE_COUNT, type GpuWindow as ModelWindow } from '../models/gpu-features.js';
import { scoreGpuWindows, scoreSequences } from '../models/onnx-runtime.js';
import { bandDecision } from '../models/training-metrics.js';
import { releaseLayer2Models, type Layer2Models } from '../models/layer2-models.js';
import { caseEvents, toCaseEvent, type CaseEvent } from './case-events.js';

export type { Layer2Models };

export type Band = 'clear' | 'alert' | 'escalate' | 'unavailable';
type EventCallback = (e: CaseEvent, score: number | null, band: Band, window: CaseEvent[]) => void;

const BATCH = 2048;
/** Earlier events kept per trajectory for the judge's context. */
const JUDGE_WINDOW = 20;

export class Layer2Scorer {
  constructor(
    private readonly models: Layer2Models,
    private readonly db: Db,
  ) {}

  /** Scores every event whose outcome equals `code`, calling back in trajectory order. */
  async scoreEvents(outcomes: Uint8Array, code: number, cb: EventCallback): Promise<void> {
    const lstm = this.models.lstm;
    const bands = this.models.lstmBands;
    const usable = lstm.status === 'loaded' && bands !== null;
    const context = usable ? buildFeatureContext(caseEvents(this.db, { audit: false })) : null;
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
          cb(p.e, s, bandDecision(s, bands!), p.window);
        }
      }
      pending = [];
    };

    const rows = this.db
      .prepare(
        `SELECT id, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, source_id, line, offset,
                audit_id, stage_rank FROM events ORDER BY COALESCE(job, 'actor:' || COALESCE(actor, '')), ts, id`,
      )
      .iterate() as IterableIterator<Parameters<typeof toCaseEvent>[0]>;
    let key: string | null = null;
    let featurizer: TrajectoryFeaturizer | null = null;
    let recent: CaseEvent[] = [];
    for (const row of rows) {
      // Features and the judge's window read the normalised attrs and the raw text, never attrs.audit.
      const e = toCaseEvent(row, false);
      const k = e.job ?? `actor:${e.actor ?? ''}`;
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

  /** Scores GPU windows with the Isolation Forest; calls back for those in its alert band. */
  async scoreGpuWindows(windows: readonly ModelWindow[], onAlert: (w: ModelWindow, score: number) => void): Promise<number> {
    const forest = this.models.iforest;
    const bands = this.models.iforestBands;
    if (forest.status !== 'loaded' || !bands || windows.length === 0) return 0;
    const features = new Float32Array(windows.length * GPU_FEATURE_COUNT);
    windows.forEach((w, i) => features.set(w.features, i * GPU_FEATURE_COUNT));
    const r = await scoreGpuWindows(forest, features, windows.length, GPU_FEATURE_COUNT);
    if (r.status !== 'scored') return 0;
    let alerts = 0;
    for (let i = 0; i < windows.length; i++) {
      const s = r.scores[i]!;
      if (bandDecision(s, bands) === 'alert') {
        alerts++;
        onAlert(windows[i]!, s);
      }
    }
    return alerts;
  }

  async release(): Promise<void> {
    await releaseLayer2Models(this.models);
  }
}
