import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourceKind } from '../core/kinds.js';
import { openBundleRoot } from './archive/fs-root.js';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { walkBundle, type BundleItem } from './bundle.js';
import { containerFormat, isGzip, sniffKind, sniffZipKind } from './sniff.js';

const FIXTURES = fileURLToPath(new URL('./archive/fixtures/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const t = (s: string): Uint8Array => new TextEncoder().encode(s);
const head = (path: string): Uint8Array => readFileSync(path).subarray(0, 65536);

/** The kind each corpus file must get, from its SOURCES.tsv description; 'refused' = not opened. */
function expectedKind(file: string): SourceKind | 'refused' {
  const exact: Record<string, SourceKind | 'refused'> = {
    'k8s-audit/falco__fal_01_003.json': 'unknown', // {"kind": 0}: malformed, carries nothing to ingest
    'pickle-benign/picklescan__not_a_pickle.bin': 'unknown', // GLOBAL opcode over invalid UTF-8
    'pickle-benign/picklescan__benign_password_protected.zip': 'refused', // encrypted entry
    'pickle-benign/picklescan__int_array.npy': 'checkpoint_numpy',
    'pickle-benign/picklescan__object_array.npy': 'checkpoint_numpy',
    'pickle-benign/picklescan__object_arrays.npz': 'checkpoint_numpy',
    'pickle-malicious/picklescan__malicious1.7z': 'refused', // 7z is reported, not read
    'pickle-malicious/picklescan__malicious1.zip': 'checkpoint_pytorch_zip',
    'pickle-malicious/picklescan__malicious1_central_directory.zip': 'checkpoint_pytorch_zip',
    // model/config.pkl, no data.pkl: an ordinary zip, walked; its pickle is a checkpoint_pickle.
    'pickle-malicious/picklescan__malicious1_0x1.zip': 'archive',
    'pickle-malicious/picklescan__malicious1_0x20.zip': 'archive',
    'pytorch/picklescan__bad_pytorch.pt': 'unknown', // a PNG signature
    'pytorch/picklescan__pytorch_model.bin': 'checkpoint_pytorch_legacy',
    'pytorch-gen/legacy_mlp.pt': 'checkpoint_pytorch_legacy',
  };
  if (exact[file]) return exact[file]!;
  const [dir, name = ''] = file.split('/');
  if (!name) return 'unknown'; // README.md, SOURCES.tsv
  switch (dir) {
    case 'dcgm':
      return 'dcgm_prom';
    case 'k8s-audit':
      return 'k8s_audit';
    case 'onnx':
      return 'checkpoint_onnx';
    case 'pickle-benign':
    case 'pickle-malicious':
      return 'checkpoint_pickle';
    case 'pytorch':
      return name.startsWith('tchrs__') ? 'checkpoint_torchscript' : 'checkpoint_pytorch_zip';
    case 'pytorch-gen':
      return name.endsWith('.pt') ? 'checkpoint_pytorch_zip' : 'unknown'; // README, LABELS.tsv, TRUTH.json
    case 'safetensors':
      return 'checkpoint_safetensors';
    case 'triton':
      return 'triton_config';
    default:
      throw new Error(`no expectation for ${file}`);
  }
}

/** Kinds the walker gives each top-level file of a folder (an 'archive' shows as its entries). */
async function walkedKinds(folder: string): Promise<Map<string, SourceKind | 'refused' | 'archive'>> {
  const out = new Map<string, SourceKind | 'refused' | 'archive'>();
  for await (const item of walkBundle(await openBundleRoot(folder))) {
    const top = item.path.split('!/')[0]!;
    const kind = kindOf(item);
    if (item.path.includes('!/')) out.set(top, item.kind === 'refused' && !out.has(top) ? 'refused' : 'archive');
    else out.set(top, kind);
  }
  return out;
}

function kindOf(item: BundleItem): SourceKind | 'refused' {
  return item.kind === 'refused' ? 'refused' : item.sniffed;
}

describe('sniffKind on real files', () => {
  it('recognises every fixture by content, through the walker (full zip listing)', async () => {
    const files = readFileSync(`${FIXTURES}SOURCES.tsv`, 'utf8').trim().split('\n').slice(1).map((r) => r.split('\t')[0]!);
    const walked = await walkedKinds(FIXTURES);
    expect(walked.size).toBe(files.length + 1); // + SOURCES.tsv
    for (const f of files) expect.soft(walked.get(f.slice(f.indexOf('/') + 1)), f).toBe(expectedKind(f));
  });

  it.skipIf(!existsSync(CORPUS))('recognises every file of shared/corpus', async () => {
    const walked = await walkedKinds(CORPUS);
    const files = readdirSync(CORPUS, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => `${d.parentPath.slice(CORPUS.length).replace(/\/?$/, '/')}${d.name}`.replace(/^\//, ''));
    expect(files.length).toBeGreaterThan(200);
    for (const f of files) expect.soft(walked.get(f), f).toBe(expectedKind(f));
    // The head alone gets every non-zip right; big TorchScript zips need the full listing.
    for (const f of files) {
      const want = expectedKind(f);
      if (want === 'refused' || want === 'archive' || f.endsWith('tchrs__foo9.pt')) continue;
      const h = head(CORPUS + f);
      expect.soft(isGzip(h) ? 'archive' : sniffKind(h, f), f).toBe(isGzip(h) ? 'archive' : want);
    }
  });
});

describe('sniffKind on text formats', () => {
  const jsonl = (...objs: object[]): Uint8Array => t(objs.map((o) => JSON.stringify(o)).join('\n') + '\n');

  it('tells audit, app events, query_range and manifest apart by top-level keys', () => {
    expect(sniffKind(jsonl({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'a', verb: 'get' }), 'x')).toBe('k8s_audit');
    expect(sniffKind(t(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] })), 'x')).toBe('k8s_audit');
    expect(sniffKind(t(JSON.stringify([{ auditID: 'a', stage: 'ResponseComplete' }], null, 2)), 'x')).toBe('k8s_audit');
    expect(sniffKind(jsonl({ ts: '2024-01-01T00:00:00Z', action: 'checkpoint_save', job_id: 'j', user: 'u' }), 'x')).toBe('app_events');
    expect(sniffKind(t(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } })), 'x')).toBe('dcgm_query_range');
    expect(sniffKind(t(JSON.stringify({ incident_id: 'INC-1', cluster: 'c', artifacts: [] }, null, 2)), 'manifest.json')).toBe('manifest');
    // A shipper-wrapped audit line (fluent-bit / CloudWatch style), escaped inside a string.
    const wrapped = { log: JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'x' }), stream: 'stdout' };
    expect(sniffKind(jsonl(wrapped), 'x')).toBe('k8s_audit');
    expect(sniffKind(t(`${JSON.stringify(wrapped).slice(0, -1)}`), 'x')).toBe('k8s_audit'); // cut: substring fallback
  });

  it('is not fooled by keys planted inside attacker-written values', () => {
    const planted = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'a', requestObject: { incident_id: 'fake', action: 'x', ts: 1 } };
    expect(sniffKind(t(JSON.stringify(planted)), 'x')).toBe('k8s_audit');
    const app = { ts: 1, action: 'login', job_id: 'j', resource: '{"auditID":"a","apiVersion":"audit.k8s.io/v1"}' };
    expect(sniffKind(jsonl(app, app), 'x')).toBe('app_events');
  });

  it('reads dmon tables, DCGM CSV and Prometheus text, and does not confuse them', () => {
    expect(sniffKind(t('#Entity   GPUTL  MCUTL\nID\nGPU 0   35   10\n'), 'x')).toBe('dcgm_dmon');
    expect(sniffKind(t('# Entity  POWER\nGPU 0  70.1\n'), 'x')).toBe('dcgm_dmon');
    expect(sniffKind(t('timestamp,gpu,DCGM_FI_DEV_GPU_UTIL\n2024-01-01T00:00:00Z,0,35\n'), 'x')).toBe('dcgm_csv');
    expect(sniffKind(t('"Timestamp","GPU","util"\n1,0,3\n'), 'x')).toBe('dcgm_csv');
    expect(sniffKind(t('time,gputl,fbusd\n1,2,3\n'), 'x')).toBe('dcgm_csv');
    expect(sniffKind(t('name,email\na,b\n'), 'x')).toBe('unknown');
    expect(sniffKind(t('DCGM_FI_DEV_GPU_UTIL{gpu="0",Hostname="h, with comma"} 35 1700000000000\n'), 'x')).toBe('dcgm_prom');
    expect(sniffKind(t('up 1\n'), 'x')).toBe('dcgm_prom');
    expect(sniffKind(t('# just a comment\nhello world\n'), 'x')).toBe('unknown');
  });

  it('reads Triton configs and rejects look-alikes', () => {
    expect(sniffKind(t('name: "m"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [ { name: "I" dims: [ 1 ] } ]\n'), 'x')).toBe('triton_config');
    expect(sniffKind(t('max_batch_size: 8\nunknown_field: 1\n'), 'x')).toBe('unknown');
    expect(sniffKind(t('name: "only a name"\n'), 'x')).toBe('unknown');
    expect(sniffKind(t('name: "only a name"\n'), 'config.pbtxt')).toBe('triton_config');
  });
});

describe('sniffKind on binary formats and containers', () => {
  it('knows containers by magic', () => {
    expect(containerFormat(gzip('x'))).toBe('gzip');
    expect(containerFormat(buildZip([{ name: 'a', data: 'b' }]))).toBe('zip');
    expect(containerFormat(buildTar([{ name: 'a', data: 'b' }]))).toBe('tar');
    expect(containerFormat(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1]))).toBe('xz');
    expect(sniffKind(buildTar([{ name: 'a', data: 'b' }]), 'a.tar')).toBe('archive');
    expect(sniffKind(buildTar([{ name: 'pickle', data: 'b' }]), 'old.pt')).toBe('checkpoint_pytorch_legacy');
    expect(sniffKind(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'm.h5')).toBe('checkpoint_keras');
    expect(sniffKind(Uint8Array.from([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0, 0]), 'm.gguf')).toBe('checkpoint_gguf');
    expect(sniffKind(t('GGUF is a format\n'), 'notes.txt')).toBe('unknown');
  });

  it('refines zips by their entry names', () => {
    expect(sniffZipKind(['archive/data.pkl', 'archive/data/0', 'archive/version'])).toBe('checkpoint_pytorch_zip');
    expect(sniffZipKind(['m/data.pkl', 'm/code/__torch__.py', 'm/constants.pkl'])).toBe('checkpoint_torchscript');
    expect(sniffZipKind(['a.npy', 'b.npy'])).toBe('checkpoint_numpy');
    expect(sniffZipKind(['metadata.json', 'config.json', 'model.weights.h5'])).toBe('checkpoint_keras');
    expect(sniffZipKind(['bundle/audit/a.log', 'bundle/model/archive/data.pkl'])).toBe('archive');
    expect(sniffZipKind([])).toBe('archive');
  });

  it('avoids ONNX and safetensors false positives', () => {
    expect(sniffKind(Uint8Array.from([0x08, 0x07, 0x12, 0x02, 0x61, 0x62]), 'x')).toBe('unknown'); // no graph/opset
    expect(sniffKind(Uint8Array.from([0x08, 0x07, 0x3a, 0x7f, 0]), 'x')).toBe('unknown'); // graph past the end of a small file
    expect(sniffKind(Uint8Array.from([10, 0, 0, 0, 0, 0, 0, 0, 0x5b, 0x5d]), 'x')).toBe('unknown'); // '[' is not a header
    expect(sniffKind(t('hello'), 'x')).toBe('unknown');
    expect(sniffKind(new Uint8Array(0), 'x')).toBe('unknown');
  });

  it('fuzz: mutated heads of real files never throw', () => {
    const bases = readdirSync(FIXTURES).filter((f) => f !== 'SOURCES.tsv').map((f) => head(FIXTURES + f));
    let x = 31337;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 1500; i++) {
      const m = Buffer.from(bases[i % bases.length]!);
      for (let k = 0; k < 1 + rnd(6); k++) m[rnd(m.length)] = rnd(256);
      expect(() => sniffKind(rnd(3) === 0 ? m.subarray(0, rnd(m.length + 1)) : m, 'f')).not.toThrow();
    }
  });
});
