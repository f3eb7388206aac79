/** Ingest progress: files, records, rate, ETA, quarantined records, the file being read. */
import type { IngestState } from '../state/app-store.js';
import { formatCount, formatDuration, formatBytes } from '../format.js';

export function ProgressPanel({ ingest }: { ingest: IngestState }) {
  const p = ingest.progress;
  const done = ingest.finished !== null;
  const fraction = done ? 1 : p && p.totalFiles ? Math.min(1, p.filesDone / p.totalFiles) : null;
  const phase = done ? 'Finished' : p?.phase === 'indexing' ? 'Building the search index' : p ? 'Reading' : 'Starting';
  return (
    <section className="progress-panel" aria-label="Ingest progress" data-testid="ingest-progress">
      <h3>
        {phase}: <span className="mono">{ingest.bundlePath}</span>
      </h3>
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        {...(fraction === null ? {} : { 'aria-valuenow': Math.round(fraction * 100) })}
      >
        <div className={fraction === null ? 'progress-fill indeterminate' : 'progress-fill'} style={{ width: `${Math.round((fraction ?? 0.3) * 100)}%` }} />
      </div>
      <dl className="progress-stats">
        <dt>Files</dt>
        <dd data-testid="progress-files">
          {formatCount(done ? ingest.finished!.sources.length : (p?.filesDone ?? 0))}
          {p?.totalFiles ? ` of ${formatCount(p.totalFiles)}` : ''}
        </dd>
        <dt>Records</dt>
        <dd data-testid="progress-records">{formatCount(p?.records ?? 0)}</dd>
        <dt>Rate</dt>
        <dd>{p ? `${formatCount(Math.round(p.rate))} records/s` : '—'}</dd>
        <dt>Read</dt>
        <dd>{p ? formatBytes(p.bytes) : '—'}</dd>
        <dt>ETA</dt>
        <dd data-testid="progress-eta">{done ? 'done' : p?.etaSeconds !== null && p?.etaSeconds !== undefined ? formatDuration(p.etaSeconds) : 'estimating…'}</dd>
        <dt>Quarantined</dt>
        <dd data-testid="progress-quarantined">{formatCount(done ? ingest.finished!.quarantined : (p?.quarantined ?? 0))}</dd>
      </dl>
      {p && !done && p.currentFile ? <p className="muted mono">{p.currentFile}</p> : null}
    </section>
  );
}
