/**
 * The Timeline chart as an ECharts option (pure: data in, option out, unit-tested): attack-phase
 * swimlanes with every detection on top, events per bucket and GPU telemetry below, both grids
 * on one time axis so a burst of PCIe traffic lines up with the alert that explains it.
 */
import type { Timeline } from '../../../../contract/index.js';
import { formatAxisTime, formatTs, type TimeZoneMode } from '../format.js';

export const SEVERITY_COLORS: Record<string, string> = {
  critical: '#e5484d',
  high: '#f76b15',
  medium: '#ffc53d',
  low: '#3e9bff',
  info: '#8b8d98',
};

const SHORT_FIELD: Record<string, string> = {
  DCGM_FI_DEV_GPU_UTIL: 'GPU util',
  DCGM_FI_DEV_FB_USED: 'FB used',
  DCGM_FI_DEV_MEM_COPY_UTIL: 'mem copy',
  DCGM_FI_PROF_PCIE_TX_BYTES: 'PCIe TX',
  DCGM_FI_PROF_PCIE_RX_BYTES: 'PCIe RX',
  DCGM_FI_PROF_NVLINK_TX_BYTES: 'NVLink TX',
  DCGM_FI_DEV_POWER_USAGE: 'power',
};

export function fieldLabel(field: string): string {
  return SHORT_FIELD[field] ?? field.replace(/^DCGM_FI_(DEV_|PROF_)?/, '');
}

/** Detections sorted by time: the order j / k step through. */
export function alertOrder(t: Timeline): Timeline['detections'] {
  return [...t.detections].sort((a, b) => a.ts - b.ts || a.id - b.id);
}

export function timelineOption(t: Timeline, tz: TimeZoneMode, selectedId: number | null) {
  const fromMs = t.from / 1000;
  const toMs = Math.max(t.to / 1000, fromMs + 1);
  const axisLabel = { formatter: (v: number) => formatAxisTime(v, tz, toMs - fromMs), hideOverlap: true };
  const lane = new Map(t.phases.map((p, i) => [p, i]));
  const selected = t.detections.find((d) => d.id === selectedId) ?? null;
  const bySeverity = new Map<string, [number, number, number][]>();
  for (const d of t.detections) {
    const list = bySeverity.get(d.severity) ?? [];
    list.push([d.ts / 1000, lane.get(d.phase) ?? t.phases.length - 1, d.id]);
    bySeverity.set(d.severity, list);
  }
  const selectedLine = selected
    ? { silent: true, symbol: 'none', lineStyle: { type: 'solid', width: 2, color: '#d6409f' }, label: { show: false }, data: [{ xAxis: selected.ts / 1000 }] }
    : undefined;
  const bucketMs = t.bucketUs / 1000;
  const centre = (i: number): number => (t.buckets[i]! + t.bucketUs / 2) / 1000;

  const gpuSeries = t.gpu.map((g) => {
    const peak = Math.max(1e-9, ...g.max.filter((v): v is number => v !== null));
    return {
      type: 'line',
      name: fieldLabel(g.field),
      xAxisIndex: 1,
      yAxisIndex: 2,
      showSymbol: false,
      connectNulls: false,
      sampling: 'lttb',
      lineStyle: { width: 1.5 },
      // Drawn as % of the field's own peak so fields with different units share one axis; the tooltip shows real values.
      data: g.mean.map((v, i) => [centre(i), v === null ? null : (100 * v) / peak, v, g.max[i]]),
    };
  });

  return {
    animation: false,
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: unknown[]; seriesIndex: number }) => {
        const d = p.data as number[];
        if (p.seriesName === 'events') return `${formatTs(d[0]! * 1000, tz)}<br/>${d[1]} events in ${Math.round(bucketMs / 1000)} s`;
        if (d.length >= 4) return `${escapeHtml(p.seriesName)} at ${formatTs(d[0]! * 1000, tz)}<br/>mean ${fmt(d[2])}, max ${fmt(d[3])}`;
        const det = t.detections.find((x) => x.id === d[2]);
        return det ? `${escapeHtml(det.phase)} · ${escapeHtml(det.severity)} · L${det.layer}<br/>${formatTs(det.ts, tz)}<br/>${escapeHtml(det.label)}` : '';
      },
    },
    toolbox: { right: 10, top: 0, feature: { dataZoom: { xAxisIndex: [0, 1], yAxisIndex: false, title: { zoom: 'Brush to zoom', back: 'Undo zoom' } } } },
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1], filterMode: 'none' }],
    grid: [
      { left: 110, right: 60, top: 40, height: '42%' },
      { left: 110, right: 60, top: '62%', bottom: 40 },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0, min: fromMs, max: toMs, axisLabel: { show: false }, splitLine: { show: true } },
      { type: 'time', gridIndex: 1, min: fromMs, max: toMs, axisLabel },
    ],
    yAxis: [
      { type: 'category', gridIndex: 0, data: t.phases, inverse: true, splitLine: { show: true }, axisTick: { show: false } },
      { type: 'value', gridIndex: 1, name: 'events', minInterval: 1, splitLine: { show: false } },
      { type: 'value', gridIndex: 1, name: '% of peak', min: 0, max: 100, position: 'right' },
    ],
    series: [
      ...[...bySeverity.entries()].map(([sev, data], i) => ({
        type: 'scatter',
        name: sev,
        xAxisIndex: 0,
        yAxisIndex: 0,
        symbolSize: sev === 'critical' || sev === 'high' ? 14 : 10,
        itemStyle: { color: SEVERITY_COLORS[sev] ?? '#8b8d98' },
        data,
        ...(i === 0 && selectedLine ? { markLine: selectedLine } : {}),
      })),
      {
        type: 'bar',
        name: 'events',
        xAxisIndex: 1,
        yAxisIndex: 1,
        barWidth: '90%',
        itemStyle: { color: '#5b5bd6', opacity: 0.45 },
        data: t.eventCounts.map((c, i) => [centre(i), c]),
        ...(selectedLine ? { markLine: selectedLine } : {}),
      },
      ...gpuSeries,
    ],
  };
}

function fmt(v: number | undefined | null): string {
  if (v === null || v === undefined) return '—';
  return Math.abs(v) >= 1e6 ? v.toExponential(2) : String(Math.round(v * 100) / 100);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
