/**
 * The contract's `dialog.saveReport` in the desktop shell: Electron's save dialog, opened on the
 * suggested file name and filtered to the report's format (the export panel's "Choose…"). The
 * dialog function is injected so the handler is tested without Electron.
 */
import { join } from 'node:path';
import type { ParsedArgs } from '../../contract/index.js';
import { REPORT_FILTERS } from './report-export-menu.js';

type ExportFormat = ParsedArgs<'dialog.saveReport'>['format'];

/** The slice of Electron's `SaveDialogOptions` this dialog sets. */
export interface ReportSaveDialogOptions {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: ('createDirectory' | 'showOverwriteConfirmation')[];
}

/** `dialog.showSaveDialog(win, options)` bound to the window, as main passes it in. */
export type ShowSaveDialog = (options: ReportSaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;

/** One filter per format: the format's own first (what the dialog shows), then any file. */
export function reportSaveFilters(format: ExportFormat): ReportSaveDialogOptions['filters'] {
  const own = REPORT_FILTERS.find((f) => f.extensions.includes(format)) ?? { name: `${format.toUpperCase()} report`, extensions: [format] };
  return [own, { name: 'All files', extensions: ['*'] }];
}

/**
 * The path to write: a name typed without any extension gets the format's (GTK's dialog does not
 * add it); a name with one keeps it, the analyst chose it.
 */
export function withReportExtension(path: string, format: ExportFormat): string {
  const base = path.replace(/^.*[\\/]/, '');
  return base.includes('.') ? path : `${path}.${format}`;
}

/**
 * `folder` says where the dialog opens (main: the open case's folder); the page only suggests a
 * bare name (the contract refuses folders in it), so it cannot steer the dialog elsewhere.
 */
export function createReportSaveDialog(
  show: ShowSaveDialog,
  folder: () => string | null = () => null,
): (suggestedName: string, format: ExportFormat) => Promise<string | null> {
  return async (suggestedName, format) => {
    const dir = folder();
    const r = await show({
      title: 'Export report',
      defaultPath: dir ? join(dir, suggestedName) : suggestedName,
      filters: reportSaveFilters(format),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (r.canceled || !r.filePath) return null;
    return withReportExtension(r.filePath, format);
  };
}
