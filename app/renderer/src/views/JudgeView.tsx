/**
 * Judge: Layer-3 verdicts (verdict, confidence, reasoning, model, tokens, from cache) and the
 * detections still waiting for one. Without an API key the judge does not run, and the view says
 * so before anything else; its settings (model, API key) are at the foot (JudgeSettingsPanel).
 */
import { useEffect, useState } from 'react';
import type { JudgeOverview } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { formatCount, formatTs } from '../format.js';
import { JudgeSettingsPanel } from './JudgeSettingsPanel.js';

export function judgeStatusLine(j: JudgeOverview): string {
  if (j.status === null) return 'Not run: the cascade has not analysed this case yet.';
  if (j.status.startsWith('not run: no API key')) return 'Not run: no API key. Save one in the judge settings below (or set ANTHROPIC_API_KEY where the workbench runs) and run the analysis again.';
  if (j.status.startsWith('not run')) return `Not run: ${j.status.slice('not run: '.length)}.`;
  return `Judge ${j.status}${j.model ? ` (${j.model})` : ''}.`;
}

export function JudgeView() {
  const transport = useApp((s) => s.transport);
  const caseInfo = useApp((s) => s.caseInfo);
  const summary = useApp((s) => s.summary);
  const tz = useApp((s) => s.tz);
  const showEvent = useApp((s) => s.showEvent);
  const [data, setData] = useState<JudgeOverview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!caseInfo) return;
    let live = true;
    transport.call('judge.list', {}).then(
      (v) => live && (setData(v), setError(null)),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [transport, caseInfo, summary]);

  if (!caseInfo) return <div className="view"><h2>Judge</h2><p className="muted">Open a case first.</p><JudgeSettingsPanel /></div>;
  return (
    <div className="view judge-view">
      <h2>Judge</h2>
      {error ? <p role="alert">{error}</p> : null}
      {data ? (
        <>
          <p className="panel" data-testid="judge-status">{judgeStatusLine(data)}</p>
          <h3>Judgements ({formatCount(data.judgements.length)})</h3>
          {data.judgements.length > 0 ? (
            <table className="plain" data-testid="judgements-table">
              <thead>
                <tr><th>event</th><th>verdict</th><th className="num">confidence</th><th>reasoning</th><th>model</th><th className="num">tokens in / out</th><th>from cache</th></tr>
              </thead>
              <tbody>
                {data.judgements.map((j) => (
                  <tr key={j.id}>
                    <td>{j.eventId !== null ? <button type="button" className="link" onClick={() => showEvent(j.eventId!)}>#{j.eventId}</button> : '—'}</td>
                    <td>{j.verdict ?? 'no verdict'}</td>
                    <td className="num">{j.confidence !== null ? j.confidence.toFixed(2) : '—'}</td>
                    <td>{j.reasoning ?? '—'}</td>
                    <td className="mono small">{j.model}</td>
                    <td className="num">{j.inputTokens ?? '—'} / {j.outputTokens ?? '—'}</td>
                    <td>{j.fromCache ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">No judgements in this case.</p>
          )}
          <h3>
            Waiting for a verdict (<span data-testid="judge-waiting-count">{formatCount(data.waitingTotal)}</span>)
          </h3>
          {data.waiting.length > 0 ? (
            <table className="plain" data-testid="judge-waiting">
              <thead>
                <tr><th>time</th><th>layer</th><th>decision</th><th>phase</th><th className="num">score</th><th>reason</th><th>event</th></tr>
              </thead>
              <tbody>
                {data.waiting.map((d) => (
                  <tr key={d.id}>
                    <td className="mono small">{formatTs(d.ts, tz)}</td>
                    <td>L{d.layer}</td>
                    <td>{d.decision}</td>
                    <td>{d.phase ?? '—'}</td>
                    <td className="num">{d.score !== null ? d.score.toFixed(3) : '—'}</td>
                    <td className="small">{d.reasoning ?? d.model ?? d.ruleId ?? '—'}</td>
                    <td>{d.eventId !== null ? <button type="button" className="link" onClick={() => showEvent(d.eventId!)}>#{d.eventId}</button> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">Nothing is waiting for the judge.</p>
          )}
        </>
      ) : null}
      <JudgeSettingsPanel />
    </div>
  );
}
