// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_EXPORT_FORMATS, type AppInfo, type CaseInfo, type CaseSummaryView, type ReportExported } from '../../../../contract/index.js';
import { fakeTransport, renderWithStores } from '../test-support.js';
import { App } from '../App.js';
import { OverviewView } from './OverviewView.js';
import { defaultReportPath, suggestedReportName } from './ExportReportPanel.js';

const CASE: CaseInfo = { path: '/cases/c.sqlite', schemaVersion: 2, events: 3, gpuSamples: 0, sources: 1 };
const info = (openCase: CaseInfo | null): AppInfo => ({ version: '0.1.0', shell: 'http', openCase });
const SUMMARY: CaseSummaryView = {
  casePath: CASE.path, sources: [], events: 3, eventsBySource: { k8s_audit: 3 }, gpuSamples: 0, gpuSeries: 0, quarantined: 0, quarantineReasons: [],
  firstTs: null, lastTs: null, trajectories: 1, topTrajectories: [], checkpoints: [], detections: 0, detectionsByPhase: {}, detectionsByLayer: {},
  flaggedTrajectories: 0, families: [], analysis: null, flagged: [], checkpointVerdicts: [],
};
const SHA = 'ab'.repeat(32);

afterEach(cleanup);

describe('Export report panel', () => {
  it('opens from the menu command on the Overview, follows the format in the path, and shows path, size and SHA-256', async () => {
    const exported: ReportExported = { path: '/cases/c-report.sarif', format: 'sarif', bytes: 12345, sha256: SHA };
    const { transport, emit, calls } = fakeTransport({ 'app.info': () => info(CASE), 'recent.list': () => [], 'case.summary': () => SUMMARY, 'report.export': () => exported });
    const { stores } = renderWithStores(<App />, transport);
    await act(() => stores.app.getState().init());
    act(() => stores.app.getState().setView('start'));
    act(() => emit('menu.command', { command: 'export-report' }));
    expect(stores.app.getState().view).toBe('overview');
    const path = screen.getByLabelText('Output file on the server') as HTMLInputElement;
    expect(document.activeElement).toBe(path);
    expect(path.value).toBe('/cases/c-report.html');
    expect(screen.queryByText(/not available/)).toBeNull();
    const options = Array.from((screen.getByLabelText('Format') as HTMLSelectElement).options, (o) => o.value);
    expect(options).toEqual([...REPORT_EXPORT_FORMATS]);

    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'sarif' } });
    expect(path.value).toBe('/cases/c-report.sarif');
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByTestId('export-result')).toBeTruthy());
    expect(calls.filter((c) => c.name === 'report.export').map((c) => c.args)).toEqual([{ format: 'sarif', path: '/cases/c-report.sarif' }]);
    const result = screen.getByRole('status').textContent!;
    expect(result).toContain('SARIF 2.1.0 report');
    expect(result).toContain('/cases/c-report.sarif');
    expect(result).toContain('12.1 KiB');
    expect(result).toContain('12,345 bytes');
    expect(screen.getByTestId('export-sha256').textContent).toBe(SHA);
  });

  it('shows a refused export in plain words and lets the analyst try again', async () => {
    let fail = true;
    const { transport } = fakeTransport({
      'report.export': (a: { path: string; format: 'html' }) => {
        if (fail) throw new Error(`The report ${a.path} could not be written: the folder does not exist.`);
        return { path: a.path, format: a.format, bytes: 10, sha256: SHA };
      },
    });
    const { stores } = renderWithStores(<OverviewView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, summary: SUMMARY }));
    fireEvent.click(screen.getByRole('button', { name: 'Export report…' }));
    const path = screen.getByLabelText('Output file on the server');
    fireEvent.change(path, { target: { value: '/nowhere/r.html' } });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The report /nowhere/r.html could not be written: the folder does not exist.'));
    expect(screen.queryByTestId('export-result')).toBeNull();

    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByTestId('export-path').textContent).toBe('/nowhere/r.html'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('closes with Escape and gives the focus back to its button; an empty path cannot be exported', () => {
    const { transport, calls } = fakeTransport({}, 'electron');
    const { stores } = renderWithStores(<OverviewView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, summary: SUMMARY }));
    fireEvent.click(screen.getByRole('button', { name: 'Export report…' }));
    const path = screen.getByLabelText('Output file');
    fireEvent.change(path, { target: { value: '  ' } });
    expect((screen.getByRole('button', { name: 'Export' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(path, { key: 'Escape' });
    expect(screen.queryByTestId('export-panel')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Export report…' }));
    expect(calls).toEqual([]);
  });

  it('says to open a case first when the menu asks for an export with none open', async () => {
    const { transport, emit } = fakeTransport({ 'app.info': () => info(null), 'recent.list': () => [] });
    const { stores } = renderWithStores(<App />, transport);
    await act(() => stores.app.getState().init());
    act(() => emit('menu.command', { command: 'export-report' }));
    expect(stores.app.getState().view).toBe('start');
    expect(stores.app.getState().exportPanelOpen).toBe(false);
    expect(screen.getByRole('alert').textContent).toContain('Open a case before exporting a report.');
  });

  it('in the desktop app, fills the path from the native save dialog (dialog.saveReport) and keeps it when cancelled', async () => {
    const answers: (string | null)[] = ['/evidence/INC-7.pdf', null];
    const { transport, calls } = fakeTransport(
      { 'dialog.saveReport': () => answers.shift() ?? null, 'report.export': (a: { path: string; format: 'pdf' }) => ({ path: a.path, format: a.format, bytes: 1, sha256: SHA }) },
      'electron',
    );
    const { stores } = renderWithStores(<OverviewView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, summary: SUMMARY }));
    fireEvent.click(screen.getByRole('button', { name: 'Export report…' }));
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'pdf' } });
    const path = screen.getByLabelText('Output file') as HTMLInputElement;
    fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(path.value).toBe('/evidence/INC-7.pdf'));
    expect(calls.filter((c) => c.name === 'dialog.saveReport').map((c) => c.args)).toEqual([{ suggestedName: 'c-report.pdf', format: 'pdf' }]);
    expect(document.activeElement).toBe(path);
    fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(calls.filter((c) => c.name === 'dialog.saveReport')).toHaveLength(2));
    expect(calls.at(-1)!.args).toEqual({ suggestedName: 'INC-7.pdf', format: 'pdf' });
    expect(path.value).toBe('/evidence/INC-7.pdf');
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByTestId('export-path').textContent).toBe('/evidence/INC-7.pdf'));
  });

  it('over mlshield serve keeps the typed path and offers no dialog', () => {
    const { transport } = fakeTransport({});
    const { stores } = renderWithStores(<OverviewView />, transport);
    act(() => stores.app.setState({ caseInfo: CASE, summary: SUMMARY }));
    fireEvent.click(screen.getByRole('button', { name: 'Export report…' }));
    expect(screen.getByLabelText('Output file on the server')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Choose…' })).toBeNull();
  });

  it('suggests a bare file name to the dialog', () => {
    expect(suggestedReportName('/cases/c-report.html', 'html')).toBe('c-report.html');
    expect(suggestedReportName('C:\\cases\\r.pdf ', 'pdf')).toBe('r.pdf');
    expect(suggestedReportName('/cases/', 'sarif')).toBe('report.sarif');
    expect(suggestedReportName('..', 'json')).toBe('report.json');
    expect(suggestedReportName('a\0b', 'json')).toBe('ab');
  });

  it('names the default report after the case file, next to it', () => {
    expect(defaultReportPath('/cases/incident-42.sqlite', 'pdf')).toBe('/cases/incident-42-report.pdf');
    expect(defaultReportPath('/cases/case', 'jsonl')).toBe('/cases/case-report.jsonl');
  });
});
