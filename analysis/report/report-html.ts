/**
 * The report as one self-contained HTML file: inline styles and inline SVG charts, no script, and
 * a Content-Security-Policy (`default-src 'none'`) so that opening it makes no network request —
 * whatever an attacker wrote into the records it quotes, which is escaped besides. Print styles
 * paginate it for report-pdf.ts (Chromium) and Electron's printToPDF; the table of contents links
 * to section anchors. For print, the printer asks for a TOC with a page column (`tocPages`,
 * toc-page-numbers.ts fills it in from a first printed pass); the HTML export keeps the plain link
 * list, since page numbers mean nothing on screen. No script at all: the reader needs none, and a
 * report that quotes hostile data is safer without one.
 */
import type { AlertEntry, CheckpointEntry, ForensicReport } from './forensic-report.js';
import { escapeHtml as e } from './html-escape.js';
import { funnelSvg, heatmapSvg, metricsSvg, timelineSvg } from './svg-charts.js';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
/** Alerts drawn in the HTML at most, and characters of each raw record shown (the JSON has more). */
export const HTML_MAX_ALERTS = 2000;
export const HTML_MAX_RAW_CHARS = 1500;

export const REPORT_SECTIONS = [
  ['summary', 'Incident summary'],
  ['timeline', 'Attack timeline'],
  ['cascade', 'Detection cascade'],
  ['metrics', 'Early intervention and damage'],
  ['alerts', 'Alerts'],
  ['checkpoints', 'Checkpoint findings'],
  ['judge', 'LLM judge'],
  ['annotations', 'Analyst annotations'],
  ['custody', 'Chain of custody'],
] as const;
export type ReportSectionId = (typeof REPORT_SECTIONS)[number][0];
/** The page each section starts on, 1-based, as the PDF footer counts them. */
export type TocPages = Readonly<Partial<Record<ReportSectionId, number>>>;
/** Page numbers above this are not drawn (the column is sized for it; no real report comes near). */
export const TOC_MAX_PAGE = 99_999;

export interface PrintOptions {
  /** Page per section; null on the first pass, where the column is reserved but blank. */
  tocPages: TocPages | null;
}

const STYLE = `
:root{color-scheme:light}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;margin:24px auto;max-width:980px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #333;padding-bottom:3px;margin-top:28px}
h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:12px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f7;border:1px solid #ddd;padding:6px;font-size:11px;margin:4px 0}
.meta{color:#555}.empty{color:#777;font-style:italic}
.sev-critical,.sev-high{color:#b00020;font-weight:600}.sev-medium{color:#b36b00;font-weight:600}
.alert{border:1px solid #ddd;border-left:4px solid #999;padding:6px 10px;margin:8px 0;break-inside:avoid}
.alert.sev-critical,.alert.sev-high{border-left-color:#b00020}.alert.sev-medium{border-left-color:#e08a00}
.kpis{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}.kpi{border:1px solid #ccc;padding:6px 10px;min-width:110px}
.kpi b{display:block;font-size:18px}
nav.toc ol{columns:2}
nav.toc.paged ol{columns:auto;list-style:none;padding:0;margin:0;max-width:160mm}
nav.toc.paged li{margin:3px 0}
nav.toc.paged a{display:flex;align-items:baseline;white-space:nowrap}
nav.toc.paged .lead{flex:1 1 auto;min-width:8px;margin:0 6px;border-bottom:1px dotted #888}
nav.toc.paged .lead.blank{border-bottom-color:transparent}
nav.toc.paged .pg{flex:0 0 3em;text-align:right;overflow:hidden;font-variant-numeric:tabular-nums}
code{font-size:11px}
svg.chart{max-width:100%;height:auto;margin:6px 0}
@page{size:A4;margin:16mm 12mm 18mm}
@media print{body{margin:0;max-width:none}section.page{break-before:page}a{color:inherit;text-decoration:none}}
`;

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const th = head.some((h) => h !== '') ? `<thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : '';
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table>${th}<tbody>${body}</tbody></table>`;
}

const n = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const opt = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits));

function section(id: string, title: string, body: string, newPage: boolean): string {
  return `<section id="${id}"${newPage ? ' class="page"' : ''}><h2>${e(title)}</h2>${body}</section>`;
}

function summaryHtml(r: ForensicReport): string {
  const s = r.summary;
  const kpi = (label: string, value: string): string => `<div class="kpi"><b>${value}</b>${e(label)}</div>`;
  return [
    `<p class="headline">${e(s.headline)}</p>`,
    `<div class="kpis">${[
      kpi('events', n(s.events)), kpi('input files', n(s.sources)), kpi('quarantined records', n(s.quarantined)), kpi('alerts', n(s.alerts)),
      kpi('flagged trajectories', n(s.flaggedTrajectories)), kpi('checkpoint findings', n(s.checkpointFindings)),
    ].join('')}</div>`,
    table(['', ''], [
      ['Incident', e(s.incidentId ?? '—')], ['Cluster', e(s.cluster ?? '—')], ['Time span', `${e(s.firstTs ?? '—')} – ${e(s.lastTs ?? '—')}`],
      ['Events by source', e(Object.entries(s.eventsBySource).map(([k, v]) => `${k} ${n(v)}`).join(', ') || '—')],
      ['GPU samples', n(s.gpuSamples)], ['Trajectories', n(s.trajectories)], ['Detections', `${n(s.detections)} (${n(s.alerts)} alerts, ${n(s.escalations)} escalations)`],
      ['Threat families', e(s.families.map((f) => `${f.family} ${n(f.alerts)}`).join(', ') || '—')],
    ]),
    '<h3>Inputs</h3>',
    table(['File', 'Kind', 'Status', 'Read', 'Stored', 'Quarantined'], r.sources.map((x) => [
      `<code>${e(x.path)}</code>${x.note ? `<br><span class="meta">${e(x.note)}</span>` : ''}`, e(x.kind), e(x.status), n(x.read), n(x.stored), n(x.quarantined),
    ]), [3, 4, 5]),
    s.quarantineReasons.length ? '<h3>Quarantine reasons</h3>' + table(['Reason', 'Records'], s.quarantineReasons.map((q) => [e(q.reason), n(q.count)]), [1]) : '',
  ].join('');
}

function timelineHtml(r: ForensicReport): string {
  const t = r.timeline;
  const traj = t.trajectories.slice(0, 50).map((x) => [
    `<code>${e(x.job)}</code>`, e(x.family ?? '—'), n(x.alerts), e(x.firstAlertTs),
    x.phases.map((p) => `${e(p.phase)} <span class="meta">${e(p.firstTs)} (${n(p.alerts)})</span>`).join('<br>'),
  ]);
  return timelineSvg(t) + (traj.length ? '<h3>Flagged trajectories, phase by phase</h3>' + table(['Trajectory', 'Family', 'Alerts', 'First alert', 'Phases (first alert)'], traj, [2]) : '');
}

function cascadeHtml(r: ForensicReport): string {
  const c = r.cascade;
  if (!c) return '<p class="empty">The case has not been analysed (no analysis run).</p>';
  return [
    funnelSvg(c.funnel),
    table(['Layer', 'Reached', 'Cleared', 'Alert', 'Passed on / open'], [
      ['1 rules', n(c.events), n(c.l1.cleared), n(c.l1.alert), n(c.l1.escalate + c.l1.pass)],
      ['2 models', n(c.l2.reached), n(c.l2.cleared), n(c.l2.alert), `${n(c.l2.uncertain)} uncertain, ${n(c.l2.unavailable)} model unavailable`],
      ['3 judge', n(c.l3.reached), n(c.l3.cleared), n(c.l3.alert), `${n(c.l3.open)} open`],
    ], [1, 2, 3]),
    `<p class="meta">Run ${c.runId}, ${e(c.startedAt)} – ${e(c.finishedAt ?? 'unfinished')}, tool ${e(c.toolVersion)}. GPU windows ${n(c.gpu.windows)} (rule alerts ${n(c.gpu.ruleAlerts)}, forest alerts ${n(c.gpu.forestAlerts)}${c.gpu.unscored ? `, not scored by the forest ${n(c.gpu.unscored)}${c.gpu.unscoredReason ? `: ${e(c.gpu.unscoredReason)}` : ''}` : ''}). LSTM: ${e(c.providers.lstm)}. Isolation Forest: ${e(c.providers.iforest)}. Judge: ${e(c.judge.status)}${c.judge.model ? ` (${e(c.judge.model)})` : ''}.</p>`,
  ].join('');
}

function metricsHtml(r: ForensicReport): string {
  const m = r.metrics;
  if (!m) return '<p class="empty">Not measured: ML-EIR, detection gap and damage prevented need ground truth (the analysis was run without labels, as for any real incident).</p>';
  return metricsSvg(m) + table(['Measure', 'Value'], [
    ['ML-EIR@0', pct(m.eir0)], ['ML-EIR@5', pct(m.eir5)], ['Damage prevented', pct(m.damagePrevented)],
    ['Detection gap (median / mean / p90, events)', `${opt(m.gapMedianEvents)} / ${opt(m.gapMeanEvents)} / ${opt(m.gapP90Events)}`],
    ['Detection gap (median, seconds)', opt(m.gapMedianSeconds)],
    ['Attack trajectories', `${n(m.attacks)} (${n(m.detected)} detected, ${n(m.missed)} missed)`],
    ['Precision / recall', `${opt(m.precision, 3)} / ${opt(m.recall, 3)}`],
  ]);
}

function alertHtml(a: AlertEntry): string {
  const where = a.source ? `<code>${e(a.source.path)}:${a.source.line}</code>` : `<span class="meta">GPU telemetry window${a.job ? ` of ${e(a.job)}` : ''}</span>`;
  const raw = a.raw === null ? '' : `<pre>${e(a.raw.length > HTML_MAX_RAW_CHARS ? a.raw.slice(0, HTML_MAX_RAW_CHARS) : a.raw)}${a.raw.length > HTML_MAX_RAW_CHARS || a.rawTruncated ? '\n… (truncated; the full record is in the case file)' : ''}</pre>`;
  const rule = a.ruleId ?? a.model ?? `layer ${a.layer}`;
  const tech = [...a.attack, ...a.atlas];
  return `<div class="alert sev-${e(a.severity)}"><b class="sev-${e(a.severity)}">${e(a.severity)}</b> · ${e(a.ts)} · layer ${a.layer} · <code>${e(rule)}</code>` +
    `${a.phase ? ` · ${e(a.phase)}` : ''}${a.family ? ` · ${e(a.family)}` : ''}${tech.length ? ` · ${e(tech.join(', '))}` : ''}<br>${where}${a.job ? ` · trajectory <code>${e(a.job)}</code>` : ''}` +
    `${a.reasoning ? `<div>${e(a.reasoning)}</div>` : ''}${raw}</div>`;
}

function alertsHtml(r: ForensicReport): string {
  if (r.alertsTotal === 0) return '<p class="empty">No alerts.</p>';
  const shown = r.alerts.slice(0, HTML_MAX_ALERTS);
  const more = r.alertsTotal - shown.length;
  return `<p class="meta">${n(r.alertsTotal)} alerts, most severe first, each with its input file and line.${more > 0 ? ` ${n(more)} more are in the case file and the JSON/SARIF exports.` : ''}</p>` + shown.map(alertHtml).join('');
}

function checkpointHtml(c: CheckpointEntry): string {
  const findings = c.findings.length
    ? table(['Finding', 'Severity', 'Message', 'Where'], c.findings.map((f) => [`<code>${e(f.id)}</code>`, `<span class="sev-${e(f.severity)}">${e(f.severity)}</span>`, e(f.message), e(f.location ?? '')]))
    : '<p class="empty">No findings.</p>';
  const heat = c.heatmap ? heatmapSvg(c.heatmap, `Weight-anomaly heatmap of ${c.path}`) : '<p class="empty">No tensor statistics.</p>';
  return `<h3><code>${e(c.path)}</code></h3><p class="meta">${e(c.format)} · verdict <b>${e(c.verdict)}</b> · SHA-256 <code>${e(c.sha256)}</code> · ${n(c.tensors)} tensors</p>${findings}${heat}`;
}

function judgeHtml(r: ForensicReport): string {
  if (r.judgements.length === 0) return `<p class="empty">The LLM judge gave no verdict in this case${r.cascade ? ` (${e(r.cascade.judge.status)})` : ''}.</p>`;
  return r.judgements.map((j) => `<div class="alert"><b>${e(j.verdict ?? 'no verdict')}</b>${j.confidence !== null ? ` (confidence ${j.confidence.toFixed(2)})` : ''} · event ${j.eventId ?? '—'} · ${e(j.status)} · ${e(j.createdAt)}<br>` +
    `model <code>${e(j.model)}</code> · prompt SHA-256 <code>${e(j.promptHash)}</code> · tokens ${j.inputTokens ?? '—'}+${j.outputTokens ?? '—'}` +
    `${j.reasoning ? `<div>${e(j.reasoning)}</div>` : ''}</div>`).join('');
}

function annotationsHtml(r: ForensicReport): string {
  if (r.annotations.length === 0) return '<p class="empty">No stars, tags or comments.</p>';
  return table(['Item', 'Starred', 'Tags', 'Comment', 'By', 'When'], r.annotations.map((a) => [
    `${e(a.targetKind)} ${a.targetId}<br><span class="meta">${e(a.label)}</span>`, a.starred ? '★' : '', e(a.tags.join(', ')), e(a.comment), e(a.author ?? '—'), e(a.updatedAt),
  ]));
}

function custodyHtml(r: ForensicReport): string {
  const c = r.custody;
  return [
    table(['', ''], [
      ['Tool', `${e(c.tool.name)} ${e(c.tool.version)}`], ['Case file', `<code>${e(c.caseFile.path)}</code> (schema ${c.caseFile.schemaVersion})`],
      ['Analysis', c.analysis ? `run ${c.analysis.runId}, ${e(c.analysis.startedAt)} – ${e(c.analysis.finishedAt ?? 'unfinished')} (tool ${e(c.analysis.toolVersion)})` : 'not analysed'],
      ['Exported by', `${e(c.exportedBy.user)} on ${e(c.exportedBy.host)}, ${e(c.exportedAt)}`],
      ['Signature', 'A signed export has a detached DSSE envelope (Ed25519) next to it, <code>&lt;file&gt;.dsse.json</code>; check it with <code>mlshield verify-report &lt;file&gt; --key &lt;public.pem&gt;</code>.'],
    ]),
    '<h3>Inputs (SHA-256)</h3>',
    table(['File', 'Kind', 'Status', 'SHA-256'], c.inputs.map((i) => [`<code>${e(i.path)}</code>`, e(i.kind), e(i.status), `<code>${e(i.sha256 ?? '—')}</code>`])),
    '<h3>Rule files (SHA-256)</h3>',
    c.ruleFiles.length ? table(['File', 'SHA-256'], c.ruleFiles.map((f) => [`<code>${e(f.path)}</code>`, `<code>${e(f.sha256)}</code>`])) : '<p class="empty">No rule files found.</p>',
    '<h3>Model files (SHA-256)</h3>',
    table(['File', 'Bytes', 'SHA-256'], c.modelFiles.map((f) => [`<code>${e(f.path)}</code>`, f.bytes === null ? '—' : n(f.bytes), f.sha256 ? `<code>${e(f.sha256)}</code>` : 'missing'])),
  ].join('');
}

/**
 * The contents. Printed, every row has the same boxes whether its number is known or not — a
 * fixed-width, non-wrapping page cell holding digits or a no-break space, a leader whose border is
 * only recoloured — so filling the numbers in cannot move anything to another page. Only section
 * titles (ours) and integers appear here, never report data.
 */
function tocHtml(print: PrintOptions | undefined): string {
  if (!print) return `<nav class="toc"><h2>Contents</h2><ol>${REPORT_SECTIONS.map(([id, title]) => `<li><a href="#${id}">${e(title)}</a></li>`).join('')}</ol></nav>`;
  const rows = REPORT_SECTIONS.map(([id, title]) => {
    const p = print.tocPages?.[id];
    const known = typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= TOC_MAX_PAGE;
    return `<li><a href="#${id}"><span class="title">${e(title)}</span><span class="lead${known ? '' : ' blank'}"></span><span class="pg">${known ? String(p) : '&nbsp;'}</span></a></li>`;
  });
  return `<nav class="toc paged"><h2>Contents</h2><ol>${rows.join('')}</ol></nav>`;
}

export function reportHtml(r: ForensicReport, print?: PrintOptions): string {
  const bodies: Record<ReportSectionId, string> = {
    summary: summaryHtml(r),
    timeline: timelineHtml(r),
    cascade: cascadeHtml(r),
    metrics: metricsHtml(r),
    alerts: alertsHtml(r),
    checkpoints: r.checkpoints.length ? r.checkpoints.map(checkpointHtml).join('') : '<p class="empty">No checkpoint has been triaged in this case.</p>',
    judge: judgeHtml(r),
    annotations: annotationsHtml(r),
    custody: custodyHtml(r),
  };
  const toc = tocHtml(print);
  const sections = REPORT_SECTIONS.map(([id, title], i) => section(id, title, bodies[id], i > 0)).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${e(r.custody.tool.name)} ${e(r.custody.tool.version)}">
<title>${e(r.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${e(r.title)}</h1><p class="meta">Generated ${e(r.generatedAt)} by ${e(r.custody.exportedBy.user)} with ${e(r.custody.tool.name)} ${e(r.custody.tool.version)}</p></header>
${toc}
${sections}
</body></html>
`;
}
