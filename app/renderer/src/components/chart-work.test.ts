import { describe, expect, it } from 'vitest';
import { pendingChartWork, scheduleChartWork } from './chart-work.js';

/** Resolves after `n` macrotasks (a setTimeout queues behind the jobs already posted). */
const tasks = (n: number): Promise<void> => (n <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(() => void tasks(n - 1).then(r), 0)));

describe('chart work', () => {
  it('runs jobs later, first in first out; a `next` job goes before those waiting; cancelled ones never run', async () => {
    const ran: string[] = [];
    const job = (name: string, then?: () => void) => () => {
      ran.push(name);
      then?.();
    };
    scheduleChartWork(job('init A', () => scheduleChartWork(job('layout A'), 'next')));
    scheduleChartWork(job('init B'));
    const cancel = scheduleChartWork(job('stale option'));
    scheduleChartWork(job('init C'));
    cancel();
    expect(pendingChartWork()).toBe(3);
    // Not in the task that asked for them.
    await Promise.resolve();
    expect(ran).toEqual([]);
    await tasks(20);
    expect(ran).toEqual(['init A', 'layout A', 'init B', 'init C']);
    expect(pendingChartWork()).toBe(0);
  });

  it('keeps going after a job that throws', async () => {
    const ran: string[] = [];
    const error = console.error;
    console.error = () => undefined;
    try {
      scheduleChartWork(() => {
        throw new Error('broken chart');
      });
      scheduleChartWork(() => ran.push('next chart'));
      await tasks(10);
    } finally {
      console.error = error;
    }
    expect(ran).toEqual(['next chart']);
  });
});
