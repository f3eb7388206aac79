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

const EVENTS_COLOR = '#5b5bd6';

interface TooltipParam {
  seriesName: string;
  data: unknown;
  seriesIndex: number;
}

export function fieldLabel(field: string): string {
  return SHORT_FIELD[field] ?? field.replace(/^DCGM_FI_(DEV_|PROF_)?/, '');
}

/** Detections sorted by time: the order j / k step through. */
export function alertOrder(t: Timeline): Timeline['detections'] {
  return [...t.detections].sort((a, b) => a.ts - b.ts || a.id - b.id);
}

/**
 * `axis` (ms): the time axis (the case's full span) and the dataZoom range on it (the window `t`
 * answers for); without it the axis is `t`'s own window.
 */
export function timelineOption(t: Timeline, tz: TimeZoneMode, selectedId: number | null, axis?: { min: number; max: number; start: number; end: number }) {
  const fromMs = axis?.min ?? t.from / 1000;
  const toMs = axis?.max ?? Math.max(t.to / 1000, fromMs + 1);
  // Labels follow the window shown, not the whole axis.
  const shownMs = axis ? axis.end - axis.start : toMs - fromMs;
  const axisLabel = { formatter: (v: number) => formatAxisTime(v, tz, shownMs), hideOverlap: true };
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
  const line = (p: TooltipParam): string => {
    const d = p.data as number[];
    if (p.seriesName === 'events') return `${d[1]} events in ${Math.round(bucketMs / 1000)} s`;
    return `${escapeHtml(p.seriesName)}: mean ${fmt(d[2])}, max ${fmt(d[3])}`;
  };
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
      // Detections one by one; the lower grid (lines without symbols) by its axis: every series at the hovered time.
      trigger: 'item',
      formatter: (p: TooltipParam | TooltipParam[]) => {
        if (Array.isArray(p)) {
          const at = (p[0]?.data as number[] | undefined)?.[0];
          return at === undefined ? '' : [formatTs(at * 1000, tz), ...p.map(line)].join('<br/>');
        }
        const d = p.data as number[];
        if (p.seriesName === 'events' || d.length >= 4) return `${formatTs(d[0]! * 1000, tz)}<br/>${line(p)}`;
        const det = t.detections.find((x) => x.id === d[2]);
        return det ? `${escapeHtml(det.phase)} · ${escapeHtml(det.severity)} · L${det.layer}<br/>${formatTs(det.ts, tz)}<br/>${escapeHtml(det.label)}` : '';
      },
    },
    toolbox: { right: 10, top: 0, feature: { dataZoom: { xAxisIndex: [0, 1], yAxisIndex: false, title: { zoom: 'Brush to zoom', back: 'Undo zoom' } } } },
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1], filterMode: 'none', ...(axis ? { startValue: axis.start, endValue: axis.end } : {}) }],
    grid: [
      { left: 110, right: 60, top: 40, height: '42%' },
      { left: 110, right: 60, top: '62%', bottom: 40 },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0, min: fromMs, max: toMs, axisLabel: { show: false }, splitLine: { show: true } },
      { type: 'time', gridIndex: 1, min: fromMs, max: toMs, axisLabel, axisPointer: { show: true, type: 'line', triggerTooltip: true, label: { show: false } } },
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
        // Thousands of detections (up to 20,000 per window) draw as one path.
        large: true,
        largeThreshold: 2000,
        itemStyle: { color: SEVERITY_COLORS[sev] ?? '#8b8d98' },
        data,
        ...(i === 0 && selectedLine ? { markLine: selectedLine } : {}),
      })),
      {
        // Events per bucket as a filled step line, a histogram drawn as one shape: a wheel zoom
        // re-renders the chart synchronously, and 400 bar elements (each with its own style and
        // label states) were two thirds of its 25–35 ms; ECharts' `large` bars cost as much again
        // in compositing (`npm run bench -- ui`, trace).
        type: 'line',
        name: 'events',
        xAxisIndex: 1,
        yAxisIndex: 1,
        step: 'middle',
        showSymbol: false,
        lineStyle: { width: 1, color: EVENTS_COLOR },
        itemStyle: { color: EVENTS_COLOR },
        areaStyle: { color: EVENTS_COLOR, opacity: 0.45 },
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
