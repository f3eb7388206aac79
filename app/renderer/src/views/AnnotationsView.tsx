/** Annotations: every starred, tagged or commented item of the case, each a jump to its event. */
import { useEffect, useState } from 'react';
import type { AnnotatedItem } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { formatTs } from '../format.js';

export function AnnotationsView() {
  const transport = useApp((s) => s.transport);
  const caseInfo = useApp((s) => s.caseInfo);
  const tz = useApp((s) => s.tz);
  const showEvent = useApp((s) => s.showEvent);
  const [items, setItems] = useState<AnnotatedItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!caseInfo) return;
    let live = true;
    const load = () =>
      transport.call('annotations.list', {}).then(
        (v) => live && setItems(v),
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    void load();
    const off = transport.on('annotations.changed', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [transport, caseInfo]);

  if (!caseInfo) return <div className="view"><p className="muted">Open a case to see its annotations.</p></div>;
  return (
    <div className="view annotations-view">
      <h2>Annotations</h2>
      {error ? <p role="alert">{error}</p> : null}
      {items === null ? <p className="muted">Loading…</p> : null}
      {items !== null && items.length === 0 ? <p className="muted">Nothing starred, tagged or commented yet. In Events, press s or use ☆ Star.</p> : null}
      {items && items.length > 0 ? (
        <table className="plain" data-testid="annotations-table">
          <thead>
            <tr><th>★</th><th>time</th><th>item</th><th>tags</th><th>comment</th></tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={`${a.targetKind}:${a.targetId}`}>
                <td>{a.starred ? '★' : ''}</td>
                <td className="mono small">{formatTs(a.ts, tz)}</td>
                <td>
                  {a.targetKind === 'event' ? (
                    <button type="button" className="link" onClick={() => showEvent(a.targetId)}>
                      #{a.targetId} {a.label}
                    </button>
                  ) : (
                    `${a.targetKind} ${a.label}`
                  )}
                </td>
                <td>{a.tags.join(', ')}</td>
                <td>{a.comment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
