/**
 * Chart work, spread over tasks. Creating an ECharts instance and giving it its first option cost
 * 15–40 ms each (measuring axis labels, building the model); the Overview's two charts, run in
 * one React effect flush, made one 90 ms long task (W3C Long Tasks: over 50 ms blocks input).
 * Here every step is a job of its own and jobs run one per macrotask, first in first out, so input
 * and painting get in between. A job starts just after a frame (requestAnimationFrame, then a
 * task), so the job that follows it (`next`) runs before the next frame: a lazy `setOption` is laid
 * out by our next job, not by ECharts' own frame callback together with whatever else is due.
 * ECharts itself is loaded on first use, as a separate chunk.
 */
type Runtime = typeof import('./echarts-runtime.js');

let runtime: Promise<Runtime> | null = null;

/** The ECharts chunk (loaded once; later calls share the promise). */
export function loadCharts(): Promise<Runtime> {
  runtime ??= import('./echarts-runtime.js');
  return runtime;
}

interface Job {
  run: () => void;
  live: boolean;
  after: 'frame' | 'now';
}
const queue: Job[] = [];
let posted = false;

/** A fresh macrotask: MessageChannel is not clamped like nested setTimeout (4 ms). */
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
if (channel) {
  channel.port1.onmessage = () => runOne();
  // Under Node (unit tests) an open port would keep the process alive.
  (channel.port1 as MessagePort & { unref?: () => void }).unref?.();
}
const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : null;
function postTask(): void {
  if (channel) channel.port2.postMessage(null);
  else setTimeout(runOne, 0);
}
/** The next job: at once when it continues the last one, else in a task just after the next frame. */
function post(): void {
  if (posted) return;
  posted = true;
  if (raf && queue[0]?.after !== 'now') raf(postTask);
  else postTask();
}

function runOne(): void {
  posted = false;
  let job = queue.shift();
  while (job && !job.live) job = queue.shift();
  if (job) {
    job.live = false;
    // A failing chart must not stop the others; the error still reaches the console.
    try {
      job.run();
    } catch (err) {
      console.error(err);
    }
  }
  // After the job: a `next` job it queued goes at once.
  if (queue.length > 0) post();
}

/**
 * Runs `run` in a later task of its own; the returned function cancels it if it has not run yet.
 * `next` puts it before the jobs already waiting (the second half of a step just done).
 */
export function scheduleChartWork(run: () => void, order: 'last' | 'next' = 'last'): () => void {
  const job: Job = { run, live: true, after: order === 'next' ? 'now' : 'frame' };
  if (order === 'next') queue.unshift(job);
  else queue.push(job);
  post();
  return () => {
    job.live = false;
  };
}

/** Jobs still waiting (for tests). */
export function pendingChartWork(): number {
  return queue.filter((j) => j.live).length;
}
