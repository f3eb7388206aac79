/** The checkpoint inspector: findings, pickle imports, the tensor table and the weight-anomaly heatmaps. */
import { useMemo } from 'react';
import type { CheckpointDetail } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { EChart } from '../components/EChart.js';
import { formatBytes, formatCount } from '../format.js';
import { heatmapHeight, heatmapTensors, histogramHeatmapOption, statsHeatmapOption } from './checkpoint-heatmap.js';

const stat = (v: number | null): string => (v === null ? '—' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

export function CheckpointInspector({ detail }: { detail: CheckpointDetail }) {
  const theme = useApp((s) => s.theme);
  const histOption = useMemo(() => histogramHeatmapOption(detail), [detail]);
  const statsOption = useMemo(() => statsHeatmapOption(detail), [detail]);
  const rows = heatmapTensors(detail).length;
  return (
    <section className="panel inspector" aria-label={`Inspector of ${detail.path}`} data-testid="checkpoint-inspector">
      <h3>
        <span className="mono">{detail.path}</span> · {detail.format} · <span className={`verdict verdict-${detail.verdict}`}>{detail.verdict}</span>
      </h3>
      <p className="small mono">
        {detail.size !== null ? `${formatBytes(detail.size)} · ` : ''}SHA-256 {detail.sha256 ?? '—'}
      </p>

      <h4>Findings ({detail.findings.length})</h4>
      {detail.findings.length > 0 ? (
        <table className="plain" data-testid="checkpoint-findings">
          <thead><tr><th>severity</th><th>id</th><th>message</th><th>location</th></tr></thead>
          <tbody>
            {detail.findings.map((f, i) => (
              <tr key={i}>
                <td className={`severity severity-${f.severity}`}>{f.severity}</td>
                <td className="mono small">{f.id}</td>
                <td>{f.message}</td>
                <td className="mono small">{f.location ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No findings.</p>
      )}

      <h4>Pickle imports ({detail.imports.length})</h4>
      {detail.imports.length > 0 ? (
        <table className="plain" data-testid="checkpoint-imports">
          <thead><tr><th>global</th><th className="num">opcode offset</th><th>classification</th><th>pickle</th></tr></thead>
          <tbody>
            {detail.imports.map((g, i) => (
              <tr key={i}>
                <td className="mono">{g.module}.{g.name}</td>
                <td className="num mono">{g.opcodeOffset}</td>
                <td className={`classification-${g.classification}`}>{g.classification}</td>
                <td className="mono small">{g.pickle ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No pickle in this artifact.</p>
      )}

      <h4>Weight anomalies</h4>
      {histOption ? (
        <div className="chart-row">
          <section aria-label="Value histogram per tensor">
            <p className="small">Share of each tensor's elements per value octave</p>
            <EChart option={histOption} height={heatmapHeight(rows) + 60} label="Heatmap: tensors by value-histogram bins" theme={theme} testId="heatmap-histogram" />
          </section>
          {statsOption ? (
            <section aria-label="Statistics per tensor">
              <p className="small">Statistics per tensor, each scaled across the checkpoint</p>
              <EChart option={statsOption} height={heatmapHeight(rows)} label="Heatmap: tensors by statistics" theme={theme} testId="heatmap-stats" />
            </section>
          ) : null}
        </div>
      ) : (
        <p className="muted small">No tensor statistics to draw.</p>
      )}

      <h4>
        Tensors ({formatCount(detail.tensorsTotal)}
        {detail.tensorsTotal > detail.tensors.length ? `, first ${formatCount(detail.tensors.length)} listed` : ''})
      </h4>
      <div className="table-scroll">
        <table className="plain small" data-testid="checkpoint-tensors">
          <thead>
            <tr>
              <th>name</th><th>dtype</th><th>shape</th><th className="num">count</th><th className="num">nan</th><th className="num">inf</th>
              <th className="num">min</th><th className="num">max</th><th className="num">mean</th><th className="num">std</th>
            </tr>
          </thead>
          <tbody>
            {detail.tensors.map((t, i) => (
              <tr key={i}>
                <td className="mono">{t.name}</td>
                <td>{t.dtype}</td>
                <td className="mono">[{t.shape.join(', ')}]</td>
                <td className="num">{formatCount(t.count)}</td>
                <td className="num">{formatCount(t.nan)}</td>
                <td className="num">{formatCount(t.inf)}</td>
                <td className="num mono">{stat(t.min)}</td>
                <td className="num mono">{stat(t.max)}</td>
                <td className="num mono">{stat(t.mean)}</td>
                <td className="num mono">{stat(t.std)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
