/**
 * The UI bench's second view of its tasks: a Chromium trace (categories `toplevel`, `devtools.timeline`) of the
 * page's renderer main thread, cut into phases by `performance.mark`s (`blink.user_timing`). A
 * PerformanceObserver long task is wall time, and on a shared 2-core machine much of that is time
 * the renderer waited for a core; the trace also has each task's thread (CPU) time (`tdur`), which
 * is the work the page itself did. Both are reported, so contention is told apart from code.
 */

/** The Trace Event Format fields read here (chromium's "JSON Object Format"). */
interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  cat?: string;
  args?: { name?: string };
}

export interface TraceTaskStats {
  tasks: number;
  /** Longest task, wall clock (what a PerformanceObserver sees). */
  maxTaskWallMs: number;
  /** Longest task in thread time: the page's own work, without waiting for a core. */
  maxTaskCpuMs: number;
  tasksOver50WallMs: number;
  tasksOver50CpuMs: number;
}

/** Marks the bench sets; a phase runs from one mark (or the trace's start) to the next. */
export const MARK_PREFIX = 'mlshield-bench:';

/**
 * Task statistics per phase: `phases` maps a phase name to its [start mark, end mark] (a start of
 * null: from the page's first task).
 */
export function taskStatsByPhase(trace: unknown, phases: Record<string, [string | null, string]>): Record<string, TraceTaskStats> {
  const events: TraceEvent[] = Array.isArray(trace) ? (trace as TraceEvent[]) : ((trace as { traceEvents?: TraceEvent[] }).traceEvents ?? []);
  // The page's main thread is the one its marks were set on (a fresh renderer for the page's
  // origin, so its tasks before the first mark are the page's first render).
  const first = events.find((e) => e.name.startsWith(MARK_PREFIX));
  const main = first ? `${first.pid}:${first.tid}` : '';
  const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && `${e.pid}:${e.tid}` === main);
  const marks = new Map<string, number>();
  for (const e of events) if (e.name.startsWith(MARK_PREFIX) && `${e.pid}:${e.tid}` === main && !marks.has(e.name)) marks.set(e.name, e.ts);
  const out: Record<string, TraceTaskStats> = {};
  for (const [phase, [from, to]] of Object.entries(phases)) {
    const start = from === null ? -Infinity : (marks.get(MARK_PREFIX + from) ?? Infinity);
    const end = marks.get(MARK_PREFIX + to) ?? -Infinity;
    // Nested RunTask events (a task inside a task) would count twice: keep the outermost.
    const inPhase = outermost(tasks.filter((t) => t.ts >= start && t.ts <= end));
    const wall = inPhase.map((t) => (t.dur ?? 0) / 1000);
    const cpu = inPhase.map((t) => (t.tdur ?? 0) / 1000);
    out[phase] = {
      tasks: inPhase.length,
      maxTaskWallMs: Math.round(Math.max(0, ...wall)),
      maxTaskCpuMs: Math.round(Math.max(0, ...cpu)),
      tasksOver50WallMs: wall.filter((d) => d > 50).length,
      tasksOver50CpuMs: cpu.filter((d) => d > 50).length,
    };
  }
  return out;
}

function outermost(tasks: TraceEvent[]): TraceEvent[] {
  const sorted = [...tasks].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const kept: TraceEvent[] = [];
  let endOfLast = -Infinity;
  for (const t of sorted) {
    if (t.ts < endOfLast) continue;
    kept.push(t);
    endOfLast = t.ts + (t.dur ?? 0);
  }
  return kept;
}
