/**
 * Ground truth for a generated incident (`labels.json`, written next to the bundle, never inside
 * it): every trajectory with its family, and for malicious ones each labelled record by bundle path
 * and 1-based line of the decompressed file, with its timestamp, attack phase and bytes moved.
 */
import type { AttackPhase, Family } from './timeline.js';
import type { Tamper } from './checkpoint-model.js';

export interface LabelRef {
  /** Bundle-relative path. */
  file: string;
  /** 1-based line in the decompressed file (for audit requests: the request's first stage line). */
  line: number;
  /** The record's timestamp as written in it (audit: requestReceivedTimestamp; app: ts). */
  ts: string;
}

export interface LabelEvent extends LabelRef {
  phase: AttackPhase;
  bytes?: number;
}

/** A GPU interval showing an attack phase's telemetry (DCGM samples of this GPU in [start, end)). */
export interface LabelGpuWindow {
  file: string;
  hostname: string;
  gpu: number;
  uuid: string;
  start: string;
  end: string;
  phase: AttackPhase;
}

export interface LabelArtifact {
  path: string;
  role: 'reference' | 'copy' | 'converted';
  tamper?: Tamper;
}

export interface LabelTrajectory {
  /** Trajectory key as the ingest derives `job` (`namespace/workload`). */
  job: string;
  family: Family;
  malicious: boolean;
  firstMalicious?: LabelRef;
  events: LabelEvent[];
  gpuWindows?: LabelGpuWindow[];
  artifacts?: LabelArtifact[];
  /** Attack technique variant (benchmark: held-out variants never appear in train). */
  variant?: string;
  /** The attack's drawn parameters (timing, counts, names, rates, stealth). */
  params?: Record<string, unknown>;
}

export interface Labels {
  scenario: string;
  seed: number;
  /** Deterministic: the end of the incident window (when the bundle was collected). */
  generatedAt: string;
  incident_id: string;
  /** The family's drawn parameters (timing, counts, names, rates, stealth). */
  params: Record<string, unknown>;
  trajectories: LabelTrajectory[];
}
