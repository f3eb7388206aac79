/**
 * Both SARIF writers (the forensic report's and the checkpoint triage's) against the official
 * OASIS SARIF 2.1.0 JSON Schema (draft-04, copied under test/fixtures with its SOURCES row).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, SAMPLE_INCIDENT, type SampleCase } from '../analysis/report/sample-case.js';
import { buildReportFor, renderReport } from '../analysis/report/report-export.js';
import { sarifLog } from '../analysis/triage/report/sarif.js';
import { triageArtifact } from '../analysis/triage/triage.js';
import { bufferSource } from '../analysis/core/byte-source.js';

const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures/sarif-schema-2.1.0-rtm.5.json'), 'utf8')) as object;
// unicodeRegExp off: the published schema's language-tag pattern is not a valid /u regex.
// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv = (AjvDraft04 as unknown as { default: new (opts: object) => { compile(schema: object): { (doc: unknown): boolean; errors?: { instancePath: string; message?: string }[] | null } } }).default;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message}`);
}

let sample: SampleCase;
beforeAll(async () => {
  sample = await buildSampleCase();
}, 120_000);
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

describe('SARIF 2.1.0 schema', () => {
  it('the schema validator rejects a broken log (it is not vacuous)', () => {
    expect(errorsOf({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }).length).toBeGreaterThan(0);
  });

  it('the forensic report SARIF of the sample case validates', async () => {
    const bytes = await renderReport(buildReportFor(sample.store.db, { format: 'sarif', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() }), 'sarif');
    const log = JSON.parse(Buffer.from(bytes).toString('utf8')) as { runs: { results: unknown[] }[] };
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    expect(errorsOf(log)).toEqual([]);
  });

  it('the checkpoint triage SARIF validates, malicious and clean artifacts alike', async () => {
    const files = ['checkpoints/whisper-ft-worker-1/model.pt', 'checkpoints/whisper-ft/model.pt', 'checkpoints/whisper-ft-worker-1/model.safetensors'];
    const results = await Promise.all(files.map((f) => triageArtifact(bufferSource(f, readFileSync(join(SAMPLE_INCIDENT, 'bundle', f))))));
    const log = sarifLog(results);
    expect(errorsOf(log)).toEqual([]);
  });
});
