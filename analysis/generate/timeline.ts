/**
 * Everything the generators produce before rendering: API requests, application events, GPU
 * activity and checkpoint artifacts, each with an internal tag saying which trajectory it belongs
 * to and, for malicious records, the attack phase. Tags never reach the bundle; the renderer turns
 * them into labels.json.
 */
import type { AppEvent } from './app-event.js';
import type { AuditRequest } from './k8s-audit-event.js';
import { buildRequest, type CallSpec } from './k8s-request.js';
import type { GpuActivity, GpuDevice } from './gpu-activity.js';
import type { Prng } from './prng.js';

import { ATTACK_PHASES, THREAT_FAMILIES, type AttackPhase, type ThreatFamily } from '../cascade/taxonomy.js';

export { ATTACK_PHASES, type AttackPhase };
/** The seed's four-phase weight-exfiltration chain, in order. */
export const WEIGHT_EXFIL_PHASES = ['recon', 'staging', 'conversion', 'exfiltration'] as const satisfies readonly AttackPhase[];

export const FAMILIES = THREAT_FAMILIES;
export type Family = ThreatFamily;

export interface RecordTag {
  /** Trajectory key (as the ingest derives `job`), or null for cluster plumbing with no workload. */
  trajectory: string | null;
  phase?: AttackPhase;
  /** Bytes the step moved out (exfiltration transfers), for damage-prevented accounting. */
  bytes?: number;
}

/** A GPU interval that belongs to an attack phase (for GPU-window labels). */
export interface GpuWindowTag {
  device: GpuDevice;
  startUs: number;
  endUs: number;
  trajectory: string;
  phase: AttackPhase;
}

/** A model file placed in the bundle, with what the labels should say about it. */
export interface ArtifactTag {
  path: string;
  bytes: Uint8Array;
  trajectory: string | null;
  /** `reference`: the job's own checkpoint; `copy`: a byte-level copy found elsewhere; `converted`: another format. */
  role: 'reference' | 'copy' | 'converted';
  tamper?: { tensor: string; kind: 'scale'; factor: number } | { tensor: string; kind: 'row-replace'; row: number };
}

export class Timeline {
  readonly audit: Array<{ req: AuditRequest; tag: RecordTag }> = [];
  readonly app: Array<{ event: AppEvent; tag: RecordTag }> = [];
  readonly gpuWindows: GpuWindowTag[] = [];
  readonly artifacts: ArtifactTag[] = [];
  /** Trajectories that exist with their family (benign unless a family generator says otherwise). */
  readonly families = new Map<string, Family>();
  /** Technique variant of each attack trajectory (benchmark held-out accounting). */
  readonly variants = new Map<string, string>();

  constructor(readonly gpu: GpuActivity) {}

  /** Records one API call; returns the request (its auditID and latency are drawn from `rng`). */
  call(rng: Prng, spec: CallSpec, tag: RecordTag): AuditRequest {
    const req = buildRequest(rng, spec);
    this.audit.push({ req, tag });
    if (tag.trajectory && !this.families.has(tag.trajectory)) this.families.set(tag.trajectory, 'benign');
    return req;
  }

  appEvent(event: AppEvent, tag: RecordTag): void {
    this.app.push({ event: { ...event, tsUs: Math.round(event.tsUs) }, tag });
    if (tag.trajectory && !this.families.has(tag.trajectory)) this.families.set(tag.trajectory, 'benign');
  }

  markFamily(trajectory: string, family: Family, variant?: string): void {
    this.families.set(trajectory, family);
    if (variant) this.variants.set(trajectory, variant);
  }
}
