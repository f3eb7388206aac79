/**
 * Overview: what is in the case — time span, sources and their accounting, trajectories, events
 * by source, quarantine reasons, detections per phase/layer, and the latest analysis: the cascade
 * funnel, flagged trajectories with their phases in time order, checkpoint verdicts — and the
 * report export.
 */
import { useMemo } from 'react';
import { useApp } from '../state/store-context.js';
import { EChart } from '../components/EChart.js';
import { formatCount, formatDuration, formatTs } from '../format.js';
import { ATTACK_PHASES } from '../../../../contract/phases.js';
import { AnalysisPanel } from './AnalysisPanel.js';
import { ExportReportPanel } from './ExportReportPanel.js';

export function OverviewView() {
  const summary = useApp((s) => s.summary);
  const caseInfo = useApp((s) => s.caseInfo);
  const tz = useApp((s) => s.tz);
  const theme = useApp((s) => s.theme);
  const showView = useApp((s) => s.setView);

  const phaseOption = useMemo(() => {
    if (!summary) return null;
    const phases = [...ATTACK_PHASES, ...Object.keys(summary.detectionsByPhase).filter((p) => !(ATTACK_PHASES as readonly string[]).includes(p))];
    return {
      // Room for the longest phase names ('lateral-movement'): the grid does not grow to fit them (EChart.tsx).
      grid: { left: 120, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: phases, inverse: true },
      tooltip: {},
      series: [{ type: 'bar', data: phases.map((p) => summary.detectionsByPhase[p] ?? 0), name: 'detections' }],
    };
  }, [summary]);

  const sourceOption = useMemo(() => {
    if (!summary) return null;
    const entries = Object.entries(summary.eventsBySource);
    return {
      grid: { left: 100, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: [...entries.map(([k]) => k), 'gpu samples'], inverse: true },
      tooltip: {},
      series: [{ type: 'bar', data: [...entries.map(([, v]) => v), summary.gpuSamples], name: 'records' }],
    };
  }, [summary]);

  if (!summary && caseInfo) {
    // The summary's GROUP BYs take seconds on a case of millions of events; the counts the case
    // opened with (indexed COUNTs) show at once meanwhile.
    return (
      <div className="view overview-view">
        <h2>Overview</h2>
        <p className="muted mono small">{caseInfo.path}</p>
        <div className="cards">
          <div className="card">
            <h3>Events</h3>
            <p data-testid="overview-events">{formatCount(caseInfo.events)}</p>
          </div>
          <div className="card">
            <h3>GPU telemetry</h3>
            <p data-testid="overview-gpu">{formatCount(caseInfo.gpuSamples)}</p>
          </div>
        </div>
        <p className="muted" data-testid="overview-summarising">Summarising the case…</p>
      </div>
    );
  }
  if (!summary) return <div className="view"><p className="muted">Open a case to see its overview.</p></div>;
  const span = summary.firstTs !== null && summary.lastTs !== null ? (summary.lastTs - summary.firstTs) / 1e6 : null;
  return (
    <div className="view overview-view">
      <h2>Overview</h2>
      <p className="muted mono small">{summary.casePath}</p>
      <ExportReportPanel />
      <div className="cards">
        <div className="card">
          <h3>Time span</h3>
          <p data-testid="overview-span">{formatDuration(span)}</p>
          <p className="small mono">{formatTs(summary.firstTs, tz)}</p>
          <p className="small mono">{formatTs(summary.lastTs, tz)}</p>
        </div>
        <div className="card">
          <h3>Events</h3>
          <p data-testid="overview-events">{formatCount(summary.events)}</p>
          <p className="small">{Object.entries(summary.eventsBySource).map(([k, v]) => `${k} ${formatCount(v)}`).join(' · ') || 'none'}</p>
        </div>
        <div className="card">
          <h3>GPU telemetry</h3>
          <p data-testid="overview-gpu">{formatCount(summary.gpuSamples)}</p>
          <p className="small">samples in {formatCount(summary.gpuSeries)} series</p>
        </div>
        <div className="card">
          <h3>Quarantined</h3>
          <p data-testid="overview-quarantined">{formatCount(summary.quarantined)}</p>
          <p className="small">{summary.quarantineReasons.slice(0, 2).map((r) => `${r.reason} (${r.count})`).join(' · ') || 'no bad records'}</p>
        </div>
        <div className="card">
          <h3>Trajectories</h3>
          <p data-testid="overview-trajectories">{formatCount(summary.trajectories)}</p>
          <p className="small">{formatCount(summary.flaggedTrajectories)} flagged</p>
        </div>
        <div className="card">
          <h3>Detections</h3>
          <p data-testid="overview-detections">{formatCount(summary.detections)}</p>
          <p className="small">
            {Object.entries(summary.detectionsByLayer).map(([l, n]) => `L${l} ${formatCount(n)}`).join(' · ') || 'the cascade has not run on this case'}
          </p>
        </div>
      </div>
      <AnalysisPanel summary={summary} />
      <div className="chart-row">
        <section className="panel" aria-label="Records by source">
          <h3>Records by source</h3>
          {sourceOption ? <EChart option={sourceOption} height={160} label="Records by source" theme={theme} testId="chart-sources" /> : null}
        </section>
        <section className="panel" aria-label="Detections by attack phase">
          <h3>Detections by attack phase</h3>
          {phaseOption ? <EChart option={phaseOption} height={160} label="Detections by attack phase" theme={theme} testId="chart-phases" /> : null}
          {summary.families.length > 0 ? <p className="small">{summary.families.map((f) => `${f.family} ${f.count}`).join(' · ')}</p> : null}
        </section>
      </div>
      <section className="panel" aria-label="Sources">
        <h3>Sources ({summary.sources.length})</h3>
        <table className="plain" data-testid="sources-table">
          <thead>
            <tr><th>path</th><th>kind</th><th>status</th><th className="num">read</th><th className="num">stored</th><th className="num">quarantined</th></tr>
          </thead>
          <tbody>
            {summary.sources.map((s) => (
              <tr key={s.id}>
                <td className="mono">{s.path}</td>
                <td>{s.kind}</td>
                <td title={s.note ?? ''}>
                  {s.status}{s.note ? ` — ${s.note}` : ''}
                  {s.warnings.length > 0 ? (
                    <ul className="small warnings" data-testid="source-warnings">
                      {s.warnings.map((w, i) => <li key={i}>{w}</li>)}
                    </ul>
                  ) : null}
                </td>
                <td className="num">{formatCount(s.read)}</td>
                <td className="num">{formatCount(s.stored)}</td>
                <td className="num">{formatCount(s.quarantined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-label="Busiest trajectories">
        <h3>Busiest trajectories</h3>
        <table className="plain">
          <thead>
            <tr><th>job</th><th className="num">events</th><th className="num">actors</th><th>first</th><th>last</th></tr>
          </thead>
          <tbody>
            {summary.topTrajectories.map((t) => (
              <tr key={t.job}>
                <td className="mono">{t.job}</td>
                <td className="num">{formatCount(t.events)}</td>
                <td className="num">{t.actors}</td>
                <td className="mono small">{formatTs(t.firstTs, tz)}</td>
                <td className="mono small">{formatTs(t.lastTs, tz)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {summary.checkpoints.length > summary.checkpointVerdicts.length ? (
        <p>
          {summary.checkpoints.length - summary.checkpointVerdicts.length} checkpoint(s) await triage —{' '}
          <button type="button" className="link" onClick={() => showView('checkpoints')}>see Checkpoints</button>.
        </p>
      ) : null}
    </div>
  );
}
