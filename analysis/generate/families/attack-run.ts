/**
 * What every attack family writes with: one attacker identity acting on one trajectory, each
 * record tagged with its phase (and bytes moved). The tags stay in the Timeline; only labels.json
 * ever sees them.
 */
import type { PodInfo } from '../cluster.js';
import type { AppEvent } from '../app-event.js';
import type { Actor, CallSpec } from '../k8s-request.js';
import { execQuery } from '../kubectl-calls.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import type { AttackPhase, RecordTag } from '../timeline.js';

export interface AttackRun {
  ctx: ScenarioContext;
  rng: Prng;
  actor: Actor;
  /** The trajectory the ingest derives for every record this run writes. */
  key: string;
}

export function attackTag(run: AttackRun, phase: AttackPhase, bytes?: number): RecordTag {
  return bytes === undefined ? { trajectory: run.key, phase } : { trajectory: run.key, phase, bytes };
}

/** One API call as the run's actor (or `actor` when another identity is used, e.g. a stolen token). */
export function attackCall(run: AttackRun, spec: Omit<CallSpec, 'actor'>, phase: AttackPhase, bytes?: number, actor?: Actor): void {
  run.ctx.timeline.call(run.rng, { ...spec, actor: actor ?? run.actor }, attackTag(run, phase, bytes));
}

export function attackExec(run: AttackRun, at: number, pod: PodInfo, command: string[], seconds: number, phase: AttackPhase, bytes?: number, actor?: Actor): void {
  attackCall(run, { at, verb: 'create', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'exec', query: execQuery(command, pod.container, false), streamSeconds: seconds }, phase, bytes, actor);
}

/** An application event on the run's trajectory; dropped when past the window end (not collected). */
export function attackApp(run: AttackRun, event: AppEvent, phase: AttackPhase, bytes?: number): void {
  if (event.tsUs >= run.ctx.endUs) return;
  run.ctx.timeline.appEvent(event, attackTag(run, phase, bytes));
}

/** `n` times spread over [t0, t1) with exponential gaps (a burst when the span is short). */
export function spreadTimes(rng: Prng, t0: number, t1: number, n: number): number[] {
  const gaps = Array.from({ length: n + 1 }, () => rng.exponential(1));
  const total = gaps.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += ((t1 - t0) * gaps[i]!) / total;
    out.push(Math.round(t));
  }
  return out;
}
