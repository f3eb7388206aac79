/**
 * The Overview's analysis part: the cascade funnel of the latest run (shares and counts as
 * `mlshield analyze` prints them), flagged trajectories with their first alert and phases in time
 * order, checkpoint verdicts, and a button to run the analysis again.
 */
import type { CaseSummaryView } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { formatCount, formatTs } from '../format.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** The share as the CLI's --json rounds it (4 decimals), kept in a data attribute for checks. */
const share = (x: number): string => x.toFixed(4);

export function AnalysisPanel({ summary }: { summary: CaseSummaryView }) {
  const tz = useApp((s) => s.tz);
  const analysis = useApp((s) => s.analysis);
  const runAnalysis = useApp((s) => s.runAnalysis);
  const run = summary.analysis;
  return (
    <section className="panel" aria-label="Analysis" data-testid="analysis-panel">
      <h3>
        Cascade{' '}
        <button type="button" onClick={() => void runAnalysis()} disabled={analysis !== null}>
          {analysis ? 'Analysing…' : run ? 'Re-run analysis' : 'Run analysis'}
        </button>
      </h3>
      {analysis ? (
        <p className="small" role="status" data-testid="analysis-progress">
          {analysis.stage}
          {analysis.total > 1 ? ` ${formatCount(analysis.done)} / ${formatCount(analysis.total)}` : ''}
        </p>
      ) : null}
      {run ? (
        <>
          <table className="plain funnel" data-testid="cascade-funnel">
            <thead>
              <tr><th>layer</th><th className="num">share of events</th><th className="num">events</th><th>alerts / open</th></tr>
            </thead>
            <tbody>
              <tr>
                <td>L1 rules cleared</td>
                <td className="num" data-testid="funnel-l1-cleared" data-share={share(run.layers.l1Cleared)}>{pct(run.layers.l1Cleared)}</td>
                <td className="num" data-testid="funnel-l1-count">{formatCount(run.counts.l1.cleared)}</td>
                <td>{formatCount(run.counts.l1.alert)} alerts</td>
              </tr>
              <tr>
                <td>L2 models reached</td>
                <td className="num" data-testid="funnel-l2-reached" data-share={share(run.layers.l2Reached)}>{pct(run.layers.l2Reached)}</td>
                <td className="num" data-testid="funnel-l2-count">{formatCount(run.counts.l2.reached)}</td>
                <td>{formatCount(run.counts.l2.alert)} alerts</td>
              </tr>
              <tr>
                <td>L3 judge reached</td>
                <td className="num" data-testid="funnel-l3-reached" data-share={share(run.layers.l3Reached)}>{pct(run.layers.l3Reached)}</td>
                <td className="num" data-testid="funnel-l3-count">{formatCount(run.counts.l3.reached)}</td>
                <td>{formatCount(run.counts.l3.alert)} alerts, {formatCount(run.counts.l3.open)} open</td>
              </tr>
            </tbody>
          </table>
          <p className="small">
            Run {run.runId} over <span data-testid="analysis-events">{formatCount(run.events)}</span> events in {run.seconds.toFixed(2)} s · judge: {run.judge.status} · LSTM: {run.providers.lstm}
          </p>
        </>
      ) : (
        <p className="muted">The cascade has not run on this case.</p>
      )}
      <h3>
        Flagged trajectories (<span data-testid="flagged-count">{formatCount(summary.flaggedTrajectories)}</span>)
      </h3>
      {summary.flagged.length > 0 ? (
        <table className="plain" data-testid="flagged-table">
          <thead>
            <tr><th>job</th><th>family</th><th>first alert</th><th className="num">alerts</th><th>phases in time order</th></tr>
          </thead>
          <tbody>
            {summary.flagged.map((t) => (
              <tr key={t.job}>
                <td className="mono">{t.job}</td>
                <td>{t.family ?? '—'}</td>
                <td className="mono small">{formatTs(t.firstAlertTs, tz)}</td>
                <td className="num">{formatCount(t.alerts)}</td>
                <td className="small" data-testid="flagged-phases">
                  {t.phases.map((p) => (
                    <span key={p.phase} className="phase-chip" title={`${formatTs(p.firstTs, tz)} · ${p.alerts} alerts`}>{p.phase}</span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No trajectory has an alert.</p>
      )}
      {summary.checkpointVerdicts.length > 0 ? (
        <>
          <h3>Checkpoint verdicts</h3>
          <table className="plain" data-testid="checkpoint-verdicts">
            <thead>
              <tr><th>checkpoint</th><th>format</th><th>verdict</th><th className="num">findings</th></tr>
            </thead>
            <tbody>
              {summary.checkpointVerdicts.map((c) => (
                <tr key={c.path}>
                  <td className="mono">{c.path}</td>
                  <td>{c.format}</td>
                  <td className={`verdict verdict-${c.verdict}`}>{c.verdict}</td>
                  <td className="num">{formatCount(c.findings)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
