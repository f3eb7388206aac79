/**
 * The workbench's `report.export` call end to end through the contract boundary (dispatchCall →
 * WorkbenchService → exportReport) on the sample incident's case, with a stand-in PDF printer as
 * the Electron shell injects one; the argument schema refuses unknown formats; the contract's
 * format list equals the engine's.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { WorkbenchService } from '../service/workbench-service.js';
import { createCallHandlers, dispatchCall } from '../service/contract-handlers.js';
import { fakeIngestRunner } from '../service/service-test-support.js';
import { REPORT_EXPORT_FORMATS } from '../../contract/calls.js';
import { REPORT_FORMATS } from './report-formats.js';
import type { ReportExported } from '../../contract/types.js';
import type { ForensicReport } from './forensic-report.js';

let sample: SampleCase;
let service: WorkbenchService;
const printed: string[] = [];

beforeAll(async () => {
  sample = await buildSampleCase();
  sample.store.close();
  service = new WorkbenchService({
    runner: fakeIngestRunner(),
    caseDirectory: sample.dir,
    printPdf: async (report, job) => {
      printed.push(report.title);
      return job(async (html) => Buffer.from(`%PDF-1.7 stand-in for ${html.length} chars`));
    },
  });
  service.openCase(sample.casePath);
});
afterAll(() => {
  service.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

describe('report.export', () => {
  const handlers = () => createCallHandlers(service, { shell: 'http' });

  it('writes the JSON report of the open case and returns size and SHA-256', async () => {
    const path = join(sample.dir, 'out.json');
    const r = (await dispatchCall(handlers(), 'report.export', { format: 'json', path })) as ReportExported;
    const bytes = readFileSync(path);
    expect(r).toEqual({ path, format: 'json', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const doc = JSON.parse(bytes.toString('utf8')) as ForensicReport;
    expect(doc.summary.events).toBe(service.caseInfo()!.events);
    expect(doc.sources).toHaveLength(service.caseInfo()!.sources);
  });

  it('prints PDF with the injected printer', async () => {
    const path = join(sample.dir, 'out.pdf');
    await dispatchCall(handlers(), 'report.export', { format: 'pdf', path });
    expect(readFileSync(path, 'latin1')).toMatch(/^%PDF-1\.7 stand-in/);
    expect(printed).toEqual(['Forensic report — INC-20261120-6083']);
  });

  it('refuses an unknown format, extra fields, and overwriting the case file', async () => {
    await expect(dispatchCall(handlers(), 'report.export', { format: 'docx', path: join(sample.dir, 'x') })).rejects.toThrow(/Invalid argument/);
    await expect(dispatchCall(handlers(), 'report.export', { format: 'json', path: 'x.json', extra: 1 })).rejects.toThrow(/Invalid argument/);
    await expect(dispatchCall(handlers(), 'report.export', { format: 'json', path: sample.casePath })).rejects.toThrow(/overwrite the case file/);
  });

  it('names a folder that does not exist in plain words', async () => {
    await expect(dispatchCall(handlers(), 'report.export', { format: 'html', path: join(sample.dir, 'no/such/dir/r.html') })).rejects.toThrow(/does not exist/);
  });

  it('offers exactly the engine formats', () => {
    expect([...REPORT_EXPORT_FORMATS]).toEqual([...REPORT_FORMATS]);
  });
});
