/**
 * The report's charts as inline SVG strings (no script, no external font or image): the attack
 * timeline per phase, the cascade funnel, the temporal-metric bars (ML-EIR@0/@5, damage
 * prevented) and the weight-anomaly heatmap. Sizes come from the viewBox, so the same markup
 * scales on screen and on an A4 page. Labels are escaped (html-escape.ts).
 */
import { escapeHtml } from './html-escape.js';
import type { FunnelStage, HeatmapEntry, ReportMetrics, ReportTimeline } from './forensic-report.js';

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';
const PHASE_COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

function svgOpen(cls: string, w: number, h: number, label: string): string {
  return `<svg class="chart ${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${escapeHtml(label)}" ${FONT}><title>${escapeHtml(label)}</title>`;
}

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** One lane per phase; each bucket with alerts is a bar whose opacity grows with the count. */
export function timelineSvg(t: ReportTimeline): string {
  if (t.phases.length === 0) return '<p class="empty">No alerts: nothing to draw on the timeline.</p>';
  const left = 130;
  const width = 760;
  const lane = 26;
  const top = 10;
  const h = top + lane * t.phases.length + 34;
  const plot = width - left - 10;
  const bw = plot / t.bucketCount;
  const out: string[] = [svgOpen('timeline', width, h, 'Attack timeline: alerts per phase over time')];
  t.phases.forEach((p, i) => {
    const y = top + i * lane;
    const color = PHASE_COLORS[i % PHASE_COLORS.length]!;
    const max = Math.max(1, ...p.buckets);
    out.push(`<text x="${left - 6}" y="${y + lane / 2 + 4}" text-anchor="end">${escapeHtml(p.phase)} (${p.alerts})</text>`);
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y + lane - 2}" y2="${y + lane - 2}" stroke="#ddd"/>`);
    p.buckets.forEach((c, b) => {
      if (c === 0) return;
      const op = 0.35 + 0.65 * (c / max);
      out.push(`<rect class="mark" x="${r1(left + b * bw)}" y="${y + 4}" width="${r1(Math.max(2, bw - 0.5))}" height="${lane - 8}" fill="${color}" fill-opacity="${op.toFixed(2)}"><title>${c} alerts</title></rect>`);
    });
  });
  const axisY = top + lane * t.phases.length + 14;
  out.push(`<text x="${left}" y="${axisY}">${escapeHtml(t.from ?? '')}</text>`);
  out.push(`<text x="${width - 10}" y="${axisY}" text-anchor="end">${escapeHtml(t.to ?? '')}</text>`);
  out.push(`<text x="${left + plot / 2}" y="${axisY + 14}" text-anchor="middle" fill="#666">time (UTC)</text>`);
  out.push('</svg>');
  return out.join('');
}

/** Centred bars, one per stage, width proportional to the events that reached it. */
export function funnelSvg(stages: readonly FunnelStage[]): string {
  if (stages.length === 0) return '<p class="empty">No analysis run in this case.</p>';
  const width = 760;
  const row = 30;
  const h = stages.length * row + 10;
  const max = Math.max(1, ...stages.map((s) => s.events));
  const out: string[] = [svgOpen('funnel', width, h, 'Cascade funnel: events reaching each layer')];
  stages.forEach((s, i) => {
    const w = Math.max(2, (s.events / max) * 420);
    const x = 180 + (420 - w) / 2;
    const y = 5 + i * row;
    out.push(`<text x="170" y="${y + row / 2 + 3}" text-anchor="end">${escapeHtml(s.stage)}</text>`);
    out.push(`<rect class="mark" x="${r1(x)}" y="${y + 3}" width="${r1(w)}" height="${row - 8}" fill="${PHASE_COLORS[i % PHASE_COLORS.length]}"/>`);
    out.push(`<text x="612" y="${y + row / 2 + 3}">${s.events.toLocaleString('en-US')}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** Shares on a 0–100 % scale: ML-EIR@0, ML-EIR@5 and damage prevented. */
export function metricsSvg(m: ReportMetrics): string {
  const bars: [string, number][] = [['ML-EIR@0', m.eir0], ['ML-EIR@5', m.eir5], ['Damage prevented', m.damagePrevented]];
  const width = 760;
  const row = 30;
  const h = bars.length * row + 26;
  const out: string[] = [svgOpen('metrics', width, h, 'Early intervention and damage prevented')];
  bars.forEach(([label, v], i) => {
    const y = 5 + i * row;
    const w = Math.max(0, Math.min(1, v)) * 500;
    out.push(`<text x="170" y="${y + row / 2 + 3}" text-anchor="end">${escapeHtml(label)}</text>`);
    out.push(`<rect x="180" y="${y + 3}" width="500" height="${row - 8}" fill="#eee"/>`);
    out.push(`<rect class="mark" x="180" y="${y + 3}" width="${r1(w)}" height="${row - 8}" fill="#54a24b"/>`);
    out.push(`<text x="690" y="${y + row / 2 + 3}">${(v * 100).toFixed(1)} %</text>`);
  });
  const axisY = 5 + bars.length * row + 12;
  for (const f of [0, 0.5, 1]) out.push(`<text x="${180 + f * 500}" y="${axisY}" text-anchor="middle" fill="#666">${f * 100} %</text>`);
  out.push('</svg>');
  return out.join('');
}

function heatColor(v: number): string {
  // white → dark red: the densest bins of each tensor stand out, empty bins stay white
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 - 80 * t);
  const g = Math.round(255 - 230 * t);
  const b = Math.round(255 - 220 * t);
  return `rgb(${r},${g},${b})`;
}

/** Tensors down, aligned magnitude bins across; a scaled tensor shows as a row shifted right. */
export function heatmapSvg(hm: HeatmapEntry, label: string): string {
  const left = 220;
  const cols = hm.binLabels.length;
  const rows = hm.tensors.length;
  const cell = Math.max(3, Math.min(14, 520 / Math.max(1, cols)));
  const ch = 12;
  const width = left + cols * cell + 10;
  const h = rows * ch + 40;
  const out: string[] = [svgOpen('heatmap', width, h, label)];
  hm.cells.forEach((row, y) => {
    const name = hm.tensors[y] ?? '';
    out.push(`<text x="${left - 4}" y="${y * ch + 10}" text-anchor="end" font-size="9">${escapeHtml(name.length > 40 ? '…' + name.slice(-39) : name)}</text>`);
    row.forEach((v, x) => {
      if (v > 0) out.push(`<rect class="mark" x="${r1(left + x * cell)}" y="${y * ch}" width="${r1(cell)}" height="${ch - 1}" fill="${heatColor(v)}"/>`);
    });
  });
  out.push(`<rect x="${left}" y="0" width="${r1(cols * cell)}" height="${rows * ch}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${left}" y="${rows * ch + 14}" font-size="9">${escapeHtml(hm.binLabels[0] ?? '')}</text>`);
  out.push(`<text x="${r1(left + cols * cell)}" y="${rows * ch + 14}" font-size="9" text-anchor="end">${escapeHtml(hm.binLabels[cols - 1] ?? '')}</text>`);
  out.push(`<text x="${r1(left + (cols * cell) / 2)}" y="${rows * ch + 30}" text-anchor="middle" fill="#666">value magnitude bins (signed octaves)</text>`);
  out.push('</svg>');
  return out.join('');
}
