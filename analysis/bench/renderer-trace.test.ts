import { describe, expect, it } from 'vitest';
import { MARK_PREFIX, taskStatsByPhase } from './renderer-trace.js';

const task = (pid: number, ts: number, durMs: number, cpuMs: number) => ({ name: 'ThreadControllerImpl::RunTask', ph: 'X', pid, tid: pid, ts, dur: durMs * 1000, tdur: cpuMs * 1000 });
const mark = (name: string, ts: number) => ({ name: MARK_PREFIX + name, ph: 'I', pid: 7, tid: 7, ts, cat: 'blink.user_timing' });

describe('renderer trace', () => {
  it('splits the page main thread tasks into phases by marks, in wall and CPU time', () => {
    const trace = {
      traceEvents: [
        task(7, 1_000, 80, 20), // first render: long in wall time (waiting for a core), short in CPU
        task(7, 200_000, 30, 30),
        task(7, 200_100, 10, 10), // nested in the one before: not counted twice
        task(9, 300_000, 500, 500), // another renderer (about:blank, another page): ignored
        mark('first-render-end', 400_000),
        mark('scroll-start', 500_000),
        task(7, 600_000, 60, 55),
        mark('scroll-end', 700_000),
      ],
    };
    expect(taskStatsByPhase(trace, { firstRender: [null, 'first-render-end'], scroll: ['scroll-start', 'scroll-end'], zoom: ['zoom-start', 'zoom-end'] })).toEqual({
      firstRender: { tasks: 2, maxTaskWallMs: 80, maxTaskCpuMs: 30, tasksOver50WallMs: 1, tasksOver50CpuMs: 0 },
      scroll: { tasks: 1, maxTaskWallMs: 60, maxTaskCpuMs: 55, tasksOver50WallMs: 1, tasksOver50CpuMs: 1 },
      zoom: { tasks: 0, maxTaskWallMs: 0, maxTaskCpuMs: 0, tasksOver50WallMs: 0, tasksOver50CpuMs: 0 },
    });
  });

  it('answers zeros for a trace without marks or events', () => {
    expect(taskStatsByPhase([], { a: [null, 'end'] })).toEqual({ a: { tasks: 0, maxTaskWallMs: 0, maxTaskCpuMs: 0, tasksOver50WallMs: 0, tasksOver50CpuMs: 0 } });
  });
});
