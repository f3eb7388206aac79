/** Checkpoints: the artifacts in the case and their triage verdicts (the inspector comes with the triage). */
import { useEffect, useState } from 'react';
import type { CheckpointRow } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';

export function CheckpointsView() {
  const transport = useApp((s) => s.transport);
  const caseInfo = useApp((s) => s.caseInfo);
  const [rows, setRows] = useState<CheckpointRow[] | null>(null);

  useEffect(() => {
    if (!caseInfo) return;
    let live = true;
    transport.call('checkpoints.list', {}).then((v) => live && setRows(v), () => live && setRows([]));
    return () => {
      live = false;
    };
  }, [transport, caseInfo]);

  if (!caseInfo) return <div className="view"><p className="muted">Open a case to see its checkpoints.</p></div>;
  return (
    <div className="view">
      <h2>Checkpoints</h2>
      <p className="muted">Checkpoint triage (pickle imports, tensor statistics, the weight-anomaly heatmap) is not wired into the workbench yet; artifacts found in the bundle are listed as pending.</p>
      {rows && rows.length > 0 ? (
        <table className="plain" data-testid="checkpoints-table">
          <thead>
            <tr><th>path</th><th>format</th><th>verdict</th><th className="num">findings</th><th>SHA-256</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td className="mono">{r.path}</td>
                <td>{r.format}</td>
                <td>{r.verdict}</td>
                <td className="num">{r.findings}</td>
                <td className="mono small">{r.sha256 ? `${r.sha256.slice(0, 16)}…` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rows ? (
        <p className="muted">No checkpoints in this case.</p>
      ) : null}
    </div>
  );
}
