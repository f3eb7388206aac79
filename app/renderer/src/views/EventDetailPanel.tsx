/** The selected event: normalised fields, raw record, source file:line, detections, judge answer, annotation. */
import { useEffect, useState } from 'react';
import { useApp, useEvents, useStores } from '../state/store-context.js';
import { formatTs } from '../format.js';

export function EventDetailPanel() {
  const { events } = useStores();
  const detail = useEvents((s) => s.detail);
  const tz = useApp((s) => s.tz);
  const [tags, setTags] = useState('');
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    setTags(detail?.annotation.tags.join(', ') ?? '');
    setComment(detail?.annotation.comment ?? '');
    setSaved(false);
  }, [detail]);

  if (!detail) return <aside className="detail muted" aria-label="Event detail">Select an event to see its raw record, provenance and detections.</aside>;
  const e = detail.event;
  const fields: [string, string | number | null][] = [
    ['time', formatTs(e.ts, tz)], ['source', e.source], ['actor', e.actor], ['action', e.action], ['resource', e.resource],
    ['namespace', e.namespace], ['job', e.job], ['node', e.node], ['gpu', e.gpu], ['outcome', e.outcome],
    ...(e.auditId ? ([['auditID', e.auditId], ['stages', e.stages]] as [string, string | number][]) : []),
  ];
  return (
    <aside className="detail" aria-label="Event detail" data-testid="event-detail">
      <div className="detail-head">
        <h3>Event #{e.id}</h3>
        <button type="button" aria-pressed={detail.annotation.starred} onClick={() => void events.getState().toggleStar(e.id)} data-testid="star-button">
          {detail.annotation.starred ? '★ Starred' : '☆ Star'}
        </button>
      </div>
      <p className="mono small" data-testid="event-provenance">
        {detail.source.path}:{detail.source.line}
      </p>
      <dl className="fields">
        {fields.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono">{v ?? '—'}</dd>
          </div>
        ))}
      </dl>
      <h4>Detections</h4>
      {detail.detections.length === 0 ? (
        <p className="muted small">None: the cascade raised nothing on this event (or has not run).</p>
      ) : (
        <ul className="detections">
          {detail.detections.map((d) => (
            <li key={d.id} className={`sev-${d.severity}`}>
              L{d.layer} · {d.ruleId ?? d.model ?? d.decision} · {d.severity}
              {d.score !== null ? ` · score ${d.score.toFixed(2)}` : ''}
              {d.phase ? ` · ${d.phase}` : ''}
              {d.reasoning ? <div className="small">{d.reasoning}</div> : null}
            </li>
          ))}
        </ul>
      )}
      <h4>Judge</h4>
      {detail.judgements.length === 0 ? (
        <p className="muted small">No verdict: Layer 3 was not asked about this event.</p>
      ) : (
        detail.judgements.map((j) => (
          <div key={j.id} className="judgement">
            <p>
              <strong>{j.verdict ?? 'no verdict'}</strong>
              {j.confidence !== null ? ` (${Math.round(j.confidence * 100)}%)` : ''} · {j.model} · {j.status}
            </p>
            {j.reasoning ? <p className="small">{j.reasoning}</p> : null}
          </div>
        ))
      )}
      <h4>Raw record</h4>
      <pre className="raw" data-testid="event-raw">{detail.raw ?? '(no raw record kept)'}</pre>
      <details>
        <summary>Other fields</summary>
        <pre className="raw">{JSON.stringify(e.attrs, null, 2)}</pre>
      </details>
      <form
        className="annotation-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          const list = tags.split(',').map((t) => t.trim()).filter((t) => t !== '');
          void events.getState().saveNote(e.id, list, comment).then(() => setSaved(true));
        }}
      >
        <label>
          Tags (comma-separated)
          <input value={tags} onChange={(ev) => setTags(ev.target.value)} name="tags" />
        </label>
        <label>
          Comment
          <textarea value={comment} onChange={(ev) => setComment(ev.target.value)} rows={3} name="comment" />
        </label>
        <button type="submit">Save note</button>
        {saved ? <span className="muted small" role="status"> saved in the case</span> : null}
      </form>
    </aside>
  );
}
