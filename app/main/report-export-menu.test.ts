/** File → Export Report…'s pure parts: dialog defaults, the format from the typed name, the message. */
import { describe, expect, it } from 'vitest';
import { exportFormatFor, exportedMessage, reportSaveDialogOptions } from './report-export-menu.js';

describe('Export Report… menu', () => {
  it('proposes <case>-report.html next to nothing in particular', () => {
    expect(reportSaveDialogOptions('/cases/INC-1.sqlite').defaultPath).toBe('INC-1-report.html');
    expect(reportSaveDialogOptions(null).defaultPath).toBe('incident-report.html');
  });

  it('takes the format from the extension, HTML otherwise', () => {
    expect(['a.pdf', 'a.JSON', 'a.sarif', 'a.sarif.json', 'a.jsonl', 'a.ndjson', 'a.htm', 'a'].map(exportFormatFor)).toEqual(['pdf', 'json', 'sarif', 'sarif', 'jsonl', 'jsonl', 'html', 'html']);
  });

  it('tells where the report went and its hash', () => {
    expect(exportedMessage({ path: '/r.pdf', format: 'pdf', bytes: 12345, sha256: 'ab' })).toBe('Wrote the PDF report to /r.pdf (12,345 bytes).\nSHA-256 ab');
  });
});
