/**
 * Start: open a bundle or a case — native dialogs and drag-and-drop on the desktop, typed server
 * paths over `mlshield serve` — and watch the ingest progress.
 */
import { useState, type DragEvent, type FormEvent } from 'react';
import { useApp } from '../state/store-context.js';
import { ProgressPanel } from '../components/ProgressPanel.js';
import { formatCount } from '../format.js';
import { API_KEY_STORAGE } from '../transport/choose-transport.js';

/** A dropped file ending like this is a case file; anything else is treated as a bundle. */
const CASE_FILE = /\.(sqlite|sqlite3|db|mlshield)$/i;

export function StartView() {
  const transport = useApp((s) => s.transport);
  const info = useApp((s) => s.info);
  const ingest = useApp((s) => s.ingest);
  const recent = useApp((s) => s.recent);
  const caseInfo = useApp((s) => s.caseInfo);
  const startIngest = useApp((s) => s.startIngest);
  const openCase = useApp((s) => s.openCase);
  const [bundlePath, setBundlePath] = useState('');
  const [casePath, setCasePath] = useState('');
  const [caseToOpen, setCaseToOpen] = useState('');
  const [dragging, setDragging] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [dropNote, setDropNote] = useState<string | null>(null);
  const desktop = transport.kind === 'electron';
  const busy = ingest !== null && ingest.finished === null;

  const pickBundle = async () => {
    const p = await transport.call('dialog.openBundle', {});
    if (p) await startIngest(p);
  };
  const pickCase = async () => {
    const p = await transport.call('dialog.openCase', {});
    if (p) await openCase(p);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const p = transport.pathForFile(file);
    if (!p) {
      setDropNote('The browser does not reveal where a dropped file lives; type its path on the server instead.');
      return;
    }
    setDropNote(null);
    if (CASE_FILE.test(p)) void openCase(p);
    else void startIngest(p);
  };
  const submitIngest = (e: FormEvent) => {
    e.preventDefault();
    if (bundlePath.trim()) void startIngest(bundlePath.trim(), casePath.trim() || undefined);
  };
  const submitCase = (e: FormEvent) => {
    e.preventDefault();
    if (caseToOpen.trim()) void openCase(caseToOpen.trim());
  };

  return (
    <div className="view start-view">
      <h2>Open an incident</h2>
      <p className="muted">
        A bundle is a folder or an archive (.zip, .tar, .tar.gz) of Kubernetes audit logs, DCGM telemetry, application
        events and checkpoints; it is loaded into a case file. A case file (.sqlite) holds an incident already loaded.
      </p>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        {desktop ? (
          <div className="button-row">
            <button type="button" onClick={() => void pickBundle()} disabled={busy}>
              Open bundle…
            </button>
            <button type="button" onClick={() => void pickCase()} disabled={busy}>
              Open case…
            </button>
            <span className="muted">or drop a bundle or case file here</span>
          </div>
        ) : (
          <div className="forms">
            <form onSubmit={submitIngest} aria-label="Ingest a bundle">
              <label>
                Bundle path on the server
                <input value={bundlePath} onChange={(e) => setBundlePath(e.target.value)} placeholder="/evidence/incident-42/bundle" name="bundlePath" spellCheck={false} />
              </label>
              <label>
                Case file (optional{caseInfo ? '; default: the open case' : ''})
                <input value={casePath} onChange={(e) => setCasePath(e.target.value)} placeholder={caseInfo?.path ?? 'incident-42.sqlite'} name="casePath" spellCheck={false} />
              </label>
              <button type="submit" disabled={busy || bundlePath.trim() === ''}>
                Ingest bundle
              </button>
            </form>
            <form onSubmit={submitCase} aria-label="Open a case file">
              <label>
                Case file on the server
                <input value={caseToOpen} onChange={(e) => setCaseToOpen(e.target.value)} placeholder="/cases/incident-42.sqlite" name="caseToOpen" spellCheck={false} />
              </label>
              <button type="submit" disabled={busy || caseToOpen.trim() === ''}>
                Open case
              </button>
            </form>
          </div>
        )}
      </div>
      {dropNote ? <p className="note">{dropNote}</p> : null}
      {ingest ? <ProgressPanel ingest={ingest} /> : null}
      {caseInfo ? (
        <p className="muted" data-testid="case-line">
          Open case: <span className="mono">{caseInfo.path}</span> — {formatCount(caseInfo.events)} events, {formatCount(caseInfo.gpuSamples)} GPU samples, {caseInfo.sources} sources.
        </p>
      ) : null}
      {recent.length > 0 ? (
        <section aria-label="Recent cases">
          <h3>Recent cases</h3>
          <ul className="recent">
            {recent.map((r) => (
              <li key={r.path}>
                <button type="button" className="link" onClick={() => void openCase(r.path)}>
                  {r.path}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!desktop ? (
        <details className="api-key">
          <summary>API key (servers bound to a non-loopback address)</summary>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              sessionStorage.setItem(API_KEY_STORAGE, apiKey);
              setApiKey('');
            }}
          >
            <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} aria-label="API key" autoComplete="off" />
            <button type="submit">Use key</button>
          </form>
        </details>
      ) : null}
      {info ? <p className="muted small">MLShield {info.version} · {info.shell === 'electron' ? 'desktop' : 'served over HTTP'}</p> : null}
    </div>
  );
}
