/**
 * Checkpoints: the artifacts in the case with their triage verdicts, and the inspector of the one
 * selected (findings, pickle imports, tensor table, weight-anomaly heatmaps).
 */
import { useEffect, useState } from 'react';
import type { CheckpointDetail, CheckpointRow } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { CheckpointInspector } from './CheckpointInspector.js';

export function CheckpointsView() {
  const transport = useApp((s) => s.transport);
  const caseInfo = useApp((s) => s.caseInfo);
  const summary = useApp((s) => s.summary);
  const [rows, setRows] = useState<CheckpointRow[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<CheckpointDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!caseInfo) return;
    let live = true;
    transport.call('checkpoints.list', {}).then((v) => live && setRows(v), () => live && setRows([]));
    return () => {
      live = false;
    };
  }, [transport, caseInfo, summary]);

  useEffect(() => {
    if (selected === null) return;
    let live = true;
    setDetail(null);
    transport.call('checkpoints.detail', { id: selected }).then(
      (d) => live && (setDetail(d), setError(null)),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [transport, selected]);

  if (!caseInfo) return <div className="view"><p className="muted">Open a case to see its checkpoints.</p></div>;
  return (
    <div className="view checkpoints-view">
      <h2>Checkpoints</h2>
      {rows && rows.length > 0 ? (
        <table className="plain" data-testid="checkpoints-table">
          <thead>
            <tr><th>path</th><th>format</th><th>verdict</th><th className="num">findings</th><th>SHA-256</th><th /></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={r.id === selected ? 'selected' : undefined} data-checkpoint-path={r.path}>
                <td className="mono">{r.path}</td>
                <td>{r.format}</td>
                <td className={`verdict verdict-${r.verdict}`}>{r.verdict}</td>
                <td className="num">{r.findings}</td>
                <td className="mono small">{r.sha256 ? `${r.sha256.slice(0, 16)}…` : '—'}</td>
                <td>
                  {r.id > 0 ? (
                    <button type="button" onClick={() => setSelected(r.id)} aria-label={`Inspect ${r.path}`}>Inspect</button>
                  ) : (
                    <span className="muted small">not triaged yet</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rows ? (
        <p className="muted">No checkpoints in this case.</p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      {detail ? <CheckpointInspector detail={detail} /> : selected !== null && !error ? <p className="muted">Loading…</p> : null}
    </div>
  );
}
