/**
 * ECharts options of the checkpoint inspector's weight-anomaly heatmaps: tensors × aligned
 * histogram bins (the share of each tensor's elements per octave bin, analysis/triage/tensors/
 * histogram.ts — a tensor scaled ×1000 sits ten bins to the side of its siblings) and tensors ×
 * statistics, each statistic scaled to [0, 1] across the checkpoint's tensors.
 */
import type { CheckpointDetail, CheckpointTensor } from '../../../../contract/index.js';
import { escapeHtml } from './timeline-option.js';

export const STAT_COLUMNS = ['min', 'max', 'mean', 'std', 'absMax', 'nan', 'inf'] as const;
type StatColumn = (typeof STAT_COLUMNS)[number];

/** Rows of the heatmaps: tensors with statistics (a tensor without them has nothing to draw). */
export function heatmapTensors(d: CheckpointDetail): CheckpointTensor[] {
  return d.tensors.filter((t) => t.histogram !== null);
}

/** First and last bin any tensor fills, widened by one bin each side (the axis shows only those). */
export function usedBinRange(tensors: readonly CheckpointTensor[], bins: number): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tensors) {
    const h = t.histogram!;
    for (let i = 0; i < h.length; i++) {
      if (h[i]! > 0) {
        if (i < lo) lo = i;
        if (i > hi) hi = i;
      }
    }
  }
  return lo === Infinity ? null : [Math.max(0, lo - 1), Math.min(bins - 1, hi + 1)];
}

export function heatmapHeight(rows: number): number {
  return Math.max(200, Math.min(640, rows * 14 + 90));
}

function yAxis(names: string[]) {
  return { type: 'category', data: names, inverse: true, axisLabel: { width: 220, overflow: 'truncate', fontSize: 10 } };
}

function zoomFor(rows: number) {
  return rows > 40 ? [{ type: 'slider', yAxisIndex: 0, right: 0, startValue: 0, endValue: 39 }, { type: 'inside', yAxisIndex: 0 }] : [];
}

export function histogramHeatmapOption(d: CheckpointDetail) {
  const tensors = heatmapTensors(d);
  const range = usedBinRange(tensors, d.binLabels.length);
  if (!range) return null;
  const [lo, hi] = range;
  const labels = d.binLabels.slice(lo, hi + 1);
  const data: [number, number, number][] = [];
  tensors.forEach((t, y) => {
    const h = t.histogram!;
    const total = h.reduce((a, b) => a + b, 0) || 1;
    for (let i = lo; i <= hi; i++) if (h[i]! > 0) data.push([i - lo, y, h[i]! / total]);
  });
  return {
    grid: { left: 240, right: 60, top: 10, bottom: 90 },
    tooltip: {
      formatter: (p: { data: [number, number, number] }) =>
        `${escapeHtml(tensors[p.data[1]]!.name)}<br/>${escapeHtml(labels[p.data[0]]!)}: ${(p.data[2] * 100).toFixed(2)}% of elements`,
    },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: 60, fontSize: 9 }, name: 'value bins (octaves of |x|)', nameLocation: 'middle', nameGap: 70 },
    yAxis: yAxis(tensors.map((t) => t.name)),
    visualMap: { min: 0, max: 1, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120, text: ['100%', '0'], inRange: { color: ['#1b2a4a', '#3b78c4', '#f2c14e', '#e5534b'] } },
    dataZoom: zoomFor(tensors.length),
    series: [{ type: 'heatmap', name: 'share of elements', data, progressive: 0 }],
  };
}

/** Each statistic scaled to [0, 1] across the tensors (min–max); NaN/inf counts by their own range. */
export function normalisedStats(tensors: readonly CheckpointTensor[]): { data: [number, number, number][]; raw: (number | null)[][] } {
  const raw = tensors.map((t) => STAT_COLUMNS.map((c: StatColumn) => t[c]));
  const data: [number, number, number][] = [];
  STAT_COLUMNS.forEach((_, x) => {
    const vals = raw.map((r) => r[x]).filter((v): v is number => v !== null && Number.isFinite(v));
    const min = Math.min(...vals);
    const max = Math.max(...vals);
    raw.forEach((r, y) => {
      const v = r[x];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      data.push([x, y, max > min ? (v - min) / (max - min) : 0]);
    });
  });
  return { data, raw };
}

export function statsHeatmapOption(d: CheckpointDetail) {
  const tensors = heatmapTensors(d);
  if (tensors.length === 0) return null;
  const { data, raw } = normalisedStats(tensors);
  return {
    grid: { left: 240, right: 60, top: 10, bottom: 40 },
    tooltip: {
      formatter: (p: { data: [number, number, number] }) =>
        `${escapeHtml(tensors[p.data[1]]!.name)}<br/>${STAT_COLUMNS[p.data[0]]} = ${raw[p.data[1]]![p.data[0]]}`,
    },
    xAxis: { type: 'category', data: [...STAT_COLUMNS] },
    yAxis: yAxis(tensors.map((t) => t.name)),
    visualMap: { min: 0, max: 1, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120, text: ['max', 'min'], inRange: { color: ['#1b2a4a', '#3b78c4', '#f2c14e', '#e5534b'] } },
    dataZoom: zoomFor(tensors.length),
    series: [{ type: 'heatmap', name: 'statistic, scaled', data, progressive: 0 }],
  };
}
