/**
 * The Overview's "Export report" panel: the contract's `report.export` from the renderer — a
 * format, an output path on the machine that runs the analysis (typed, as on the Start view over
 * `mlshield serve`; in the desktop app also chosen in the native save dialog, `dialog.saveReport`),
 * and the result (path, size, SHA-256) or the failure in plain words.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ReportExported } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';
import { formatBytes } from '../format.js';

type ExportFormat = ReportExported['format'];

// Type-only use of the contract here: its REPORT_EXPORT_FORMATS lives beside the zod schemas, and
// zod's `new Function` probe would break the renderer's CSP (script-src without 'unsafe-eval').
// The Record keeps this list equal to the contract's formats at compile time.
const FORMAT_LABELS: Record<ExportFormat, string> = {
  html: 'HTML',
  pdf: 'PDF',
  json: 'JSON',
  sarif: 'SARIF 2.1.0',
  jsonl: 'Timesketch JSONL',
};
const FORMATS = Object.keys(FORMAT_LABELS) as ExportFormat[];

/** The file name the save dialog proposes: the typed path's last part, else one named after the format. */
export function suggestedReportName(path: string, format: ExportFormat): string {
  // The contract takes a bare name (no folder, no NUL, at most 255 characters).
  const name = path.trim().replace(/^.*[\\/]/, '').replace(/\0/g, '').slice(0, 255);
  return name === '' || name === '.' || name === '..' ? `report.${format}` : name;
}

/** Next to the case file, named after it: `/cases/c.sqlite` → `/cases/c-report.html`. */
export function defaultReportPath(casePath: string, format: ExportFormat): string {
  return `${casePath.replace(/\.(sqlite3?|db|mlshield)$/i, '')}-report.${format}`;
}

export function ExportReportPanel() {
  const transport = useApp((s) => s.transport);
  const caseInfo = useApp((s) => s.caseInfo);
  const open = useApp((s) => s.exportPanelOpen);
  const openPanel = useApp((s) => s.openExportPanel);
  const closePanel = useApp((s) => s.closeExportPanel);
  const [format, setFormat] = useState<ExportFormat>('html');
  // The panel mounts with the Overview of one case: offer a path next to that case.
  const [path, setPath] = useState(() => (caseInfo ? defaultReportPath(caseInfo.path, 'html') : ''));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReportExported | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const pathInput = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(open);

  // Opened (from the menu or the button): the path is where the keyboard goes next; closed: back
  // to the button that opens it.
  useEffect(() => {
    if (open) pathInput.current?.focus();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);

  const changeFormat = (next: ExportFormat) => {
    // A path still ending in the old format's extension follows the new format.
    setPath((p) => (p.endsWith(`.${format}`) ? `${p.slice(0, -format.length)}${next}` : p));
    setFormat(next);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const target = path.trim();
    if (!target || busy) return;
    setBusy(true);
    setResult(null);
    setFailure(null);
    try {
      setResult(await transport.call('report.export', { format, path: target }));
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  // The desktop's save dialog; `mlshield serve` answers null (no dialog on a server) and the typed path stays.
  const choose = async () => {
    setFailure(null);
    try {
      const chosen = await transport.call('dialog.saveReport', { suggestedName: suggestedReportName(path, format), format });
      if (chosen) setPath(chosen);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    }
    pathInput.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      closePanel();
    }
  };

  if (!open) {
    return (
      <p>
        <button type="button" ref={opener} onClick={openPanel} disabled={!caseInfo} data-testid="export-open">
          Export report…
        </button>
      </p>
    );
  }
  return (
    <section className="panel export-panel" aria-label="Export report" data-testid="export-panel" onKeyDown={onKey}>
      <h3>Export report</h3>
      <form onSubmit={(e) => void submit(e)} className="export-form">
        <label>
          Format
          <select value={format} onChange={(e) => changeFormat(e.target.value as ExportFormat)} name="format" disabled={busy}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {transport.kind === 'electron' ? 'Output file' : 'Output file on the server'}
          <input ref={pathInput} value={path} onChange={(e) => setPath(e.target.value)} name="reportPath" spellCheck={false} disabled={busy} placeholder="/cases/incident-42-report.html" />
        </label>
        {transport.kind === 'electron' ? (
          <button type="button" onClick={() => void choose()} disabled={busy} data-testid="export-choose">
            Choose…
          </button>
        ) : null}
        <button type="submit" disabled={busy || path.trim() === ''}>
          {busy ? 'Exporting…' : 'Export'}
        </button>
        <button type="button" onClick={closePanel}>
          Close
        </button>
      </form>
      {result ? (
        <p role="status" data-testid="export-result">
          Wrote the {FORMAT_LABELS[result.format]} report to <span className="mono" data-testid="export-path">{result.path}</span> —{' '}
          {formatBytes(result.bytes)} ({result.bytes.toLocaleString('en-US')} bytes). SHA-256{' '}
          <span className="mono" data-testid="export-sha256">{result.sha256}</span>
        </p>
      ) : null}
      {failure ? (
        <p role="alert" className="export-error" data-testid="export-error">
          {failure}
        </p>
      ) : null}
    </section>
  );
}
