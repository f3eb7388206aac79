/**
 * The behavioural specs of one engine, evaluated together (issue 3: L1 throughput). Specs that
 * see the same events and windows (the same inputs) share one job table (spec-job.ts): per event,
 * one lookup and one namespace/label update for all of them, then each spec — in rule order, so
 * hits keep their order — checks the event if it selects the job, which the table remembers per
 * spec. A spec evaluated alone (`CompiledRule.instantiate`) is a set of one.
 * Memory: each table charges one StateAccount on the engine's pool (state-pool.ts; spec-job.ts
 * says what is charged): a table joins the pool as one stateful rule does, with the per-rule limit
 * (`maxStateBytesPerRule`) for all the specs sharing it, since they share its jobs.
 */
import type { EventRecord } from '../../core/records.js';
import type { EngineLimits, EventContext, RuleHit, StateSize } from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';
import type { SpecChecker, SpecProgram } from './spec-program.js';
import { SpecJobs, type SpecJob } from './spec-job.js';
import { stateAccountFor, withStatePool } from './state-pool.js';

interface Member {
  program: SpecProgram;
  checker: SpecChecker;
  table: Table;
  slot: number;
}

interface Table {
  jobs: SpecJobs;
  /** The job state of the event being evaluated (set once per event, before the checks). */
  current: SpecJob | null;
}

export interface SpecSet {
  /** Every spec's event checks, in order (for events with a job). */
  event: (e: EventRecord, ctx: EventContext, out: RuleHit[]) => void;
  /** One GPU-window evaluator per program, in the order given (null for specs without GPU ranges). */
  gpu: Array<((w: GpuWindow, out: RuleHit[]) => void) | null>;
  /** What the set's job tables hold together: jobs, estimated bytes, the sum of their limits (diagnostics, tests). */
  stateSize: () => StateSize;
}

/** Evaluators for `programs` (in rule order) over shared job tables. */
export function createSpecSet(programs: readonly SpecProgram[], engineLimits: EngineLimits): SpecSet {
  // The engine's pool (createRuleEngine made it); a set made alone gets one for its tables.
  const limits = withStatePool(engineLimits);
  // Specs share a table when they see the same inputs: then they add and evict the same jobs.
  const groups = new Map<string, SpecProgram[]>();
  for (const p of programs) {
    const key = `${p.hasEventChecks}/${p.hasGpuRanges}`;
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const tables: Table[] = [];
  const members = new Map<SpecProgram, Member>();
  for (const list of groups.values()) {
    const table: Table = { jobs: new SpecJobs(list.length, list.some((p) => p.usesLabels), limits.maxJobsPerSpec, stateAccountFor(limits)), current: null };
    tables.push(table);
    list.forEach((program, slot) => members.set(program, { program, checker: program.checker(slot, table.jobs), table, slot }));
  }
  const eventTables = tables.filter((t) => programs.some((p) => p.hasEventChecks && members.get(p)!.table === t));
  const eventMembers = programs.filter((p) => p.hasEventChecks).map((p) => members.get(p)!);

  const event = (e: EventRecord, ctx: EventContext, out: RuleHit[]): void => {
    const job = e.job;
    if (job === null) return;
    for (let i = 0; i < eventTables.length; i++) {
      const t = eventTables[i]!;
      t.current = t.jobs.forEvent(e, job, ctx.audit);
    }
    for (let i = 0; i < eventMembers.length; i++) {
      const m = eventMembers[i]!;
      const st = m.table.current!;
      if (m.program.selects(job, st, m.slot)) m.checker.event(e, job, st, out);
    }
  };

  const gpu = programs.map((p) => {
    if (!p.hasGpuRanges) return null;
    const m = members.get(p)!;
    return (w: GpuWindow, out: RuleHit[]): void => {
      const fields: unknown = w.fields;
      if (typeof w.job !== 'string' || fields === null || typeof fields !== 'object') return;
      const st = m.table.jobs.forWindow(w.job);
      if (m.program.selects(w.job, st, m.slot)) m.checker.gpu(w, w.job, st, out);
    };
  });
  const stateSize = (): StateSize => {
    let keys = 0;
    let used = 0;
    let limit = 0;
    for (const t of tables) {
      keys += t.jobs.size;
      used += t.jobs.account.used;
      limit += t.jobs.account.limit;
    }
    return { keys, used, limit };
  };
  return { event, gpu, stateSize };
}
