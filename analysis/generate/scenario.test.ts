import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jobForPod } from '../core/workload.js';
import { parseTimestampMicros } from '../core/records.js';
import { generateIncident, type GeneratedIncident } from './scenario.js';
import { ATTACK_PHASES, WEIGHT_EXFIL_PHASES } from './timeline.js';
import { bufferSource } from '../core/byte-source.js';
import { readZipDirectory } from '../ingest/archive/zip-directory.js';

const cache = new Map<number, GeneratedIncident>();
function incident(seed: number): GeneratedIncident {
  let inc = cache.get(seed);
  if (!inc) {
    inc = generateIncident({ scenario: 'weight-exfil', seed });
    cache.set(seed, inc);
  }
  return inc;
}

function text(inc: GeneratedIncident, path: string): string {
  const f = inc.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path}`);
  return Buffer.from(path.endsWith('.gz') ? gunzipSync(f.bytes) : f.bytes).toString('utf8');
}

function lines(inc: GeneratedIncident, path: string): string[] {
  const t = text(inc, path);
  expect(t.endsWith('\n')).toBe(true);
  return t.slice(0, -1).split('\n');
}

const auditFiles = (inc: GeneratedIncident): string[] => inc.files.map((f) => f.path).filter((p) => p.startsWith('audit/'));

describe('generateIncident (weight-exfil)', () => {
  it('is deterministic: same seed gives byte-identical files, another seed differs', () => {
    const a = incident(11);
    const b = generateIncident({ scenario: 'weight-exfil', seed: 11 });
    expect(a.files.map((f) => f.path)).toEqual(b.files.map((f) => f.path));
    a.files.forEach((f, i) => expect(Buffer.from(f.bytes).equals(Buffer.from(b.files[i]!.bytes))).toBe(true));
    expect(JSON.stringify(a.labels)).toBe(JSON.stringify(b.labels));
    const c = incident(12);
    expect(text(c, 'app/events.jsonl')).not.toBe(text(a, 'app/events.jsonl'));
  });

  it('keeps the default sample under 5 MB with thousands of audit events and DCGM lines', () => {
    for (const seed of [11, 12, 13]) {
      const inc = incident(seed);
      const total = inc.files.reduce((n, f) => n + f.bytes.length, 0);
      expect(total).toBeLessThan(5_000_000);
      const audit = auditFiles(inc).reduce((n, p) => n + lines(inc, p).length, 0);
      expect(audit).toBeGreaterThan(2000);
      for (const p of inc.files.map((f) => f.path).filter((x) => x.startsWith('dcgm/'))) expect(lines(inc, p).length).toBeGreaterThan(2000);
      expect(auditFiles(inc).some((p) => p.endsWith('.log.gz'))).toBe(true);
      expect(auditFiles(inc)).toContain('audit/kube-apiserver-audit.log');
    }
  });

  it('points every label at an existing JSON line with the labelled timestamp, phases in time order', () => {
    for (const seed of [11, 12, 13]) {
      const inc = incident(seed);
      const mal = inc.labels.trajectories.filter((t) => t.malicious);
      expect(mal).toHaveLength(1);
      const t = mal[0]!;
      expect(t.family).toBe('weight-exfil');
      expect(new Set(t.events.map((e) => e.phase))).toEqual(new Set(WEIGHT_EXFIL_PHASES));
      const cacheLines = new Map<string, string[]>();
      for (const e of t.events) {
        const ls = cacheLines.get(e.file) ?? lines(inc, e.file);
        cacheLines.set(e.file, ls);
        const obj = JSON.parse(ls[e.line - 1]!) as Record<string, unknown>;
        expect(obj.requestReceivedTimestamp ?? obj.ts).toBe(e.ts);
        // Attribution: the ingest derives this trajectory from the record.
        if (obj.kind === 'Event') {
          const extra = (obj.user as { extra?: Record<string, string[]> }).extra;
          const pod = extra?.['authentication.kubernetes.io/pod-name']?.[0];
          expect(pod).toBeDefined();
          const ns = (obj.user as { username: string }).username.split(':')[2]!;
          expect(jobForPod(ns, pod!)).toBe(t.job);
        } else {
          expect(obj.job_id).toBe(t.job.split('/')[1]);
        }
      }
      const order = t.events.map((e) => ATTACK_PHASES.indexOf(e.phase));
      for (let i = 1; i < order.length; i++) {
        expect(t.events[i]!.ts >= t.events[i - 1]!.ts).toBe(true);
        expect(order[i]! >= order[i - 1]!).toBe(true);
      }
      expect(t.firstMalicious).toEqual({ file: t.events[0]!.file, line: t.events[0]!.line, ts: t.events[0]!.ts });
      const exfilBytes = t.events.filter((e) => e.phase === 'exfiltration').reduce((n, e) => n + (e.bytes ?? 0), 0);
      expect(exfilBytes).toBeGreaterThan(1e8);
      expect(t.gpuWindows?.map((w) => w.phase)).toEqual(['conversion', 'exfiltration']);
      expect(t.artifacts?.some((a) => a.tamper)).toBe(true);
    }
  });

  it('has at least 20 benign trajectories, keyed as the ingest keys pods', () => {
    const inc = incident(11);
    const benign = inc.labels.trajectories.filter((t) => !t.malicious);
    expect(benign.length).toBeGreaterThanOrEqual(20);
    for (const t of benign) {
      expect(t.events).toEqual([]);
      expect(t.job).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
    }
  });

  it('writes audit lines as audit.k8s.io/v1 Events with every field kube-apiserver writes', () => {
    const inc = incident(12);
    const stages = new Map<string, string[]>();
    let n = 0;
    for (const path of auditFiles(inc)) {
      for (const l of lines(inc, path)) {
        const e = JSON.parse(l) as Record<string, any>;
        n++;
        expect(Object.keys(e).slice(0, 7)).toEqual(['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb']);
        expect(e.kind).toBe('Event');
        expect(e.apiVersion).toBe('audit.k8s.io/v1');
        expect(['Metadata', 'Request', 'RequestResponse']).toContain(e.level);
        expect(e.auditID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(typeof e.user.username).toBe('string');
        expect(Array.isArray(e.sourceIPs)).toBe(true);
        expect(typeof e.userAgent).toBe('string');
        expect(e.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        expect(e.stageTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        expect(parseTimestampMicros(e.stageTimestamp)! >= parseTimestampMicros(e.requestReceivedTimestamp)!).toBe(true);
        if (e.stage === 'RequestReceived') {
          expect(e.responseStatus).toBeUndefined();
          expect(e.annotations).toBeUndefined();
        } else {
          expect(typeof e.responseStatus.code).toBe('number');
          expect(['allow', 'forbid']).toContain(e.annotations['authorization.k8s.io/decision']);
          expect(typeof e.annotations['authorization.k8s.io/reason']).toBe('string');
        }
        if (e.objectRef?.subresource === 'exec') {
          expect(e.verb).toBe('create');
          expect(e.requestURI).toMatch(/^\/api\/v1\/namespaces\/[a-z0-9-]+\/pods\/[a-z0-9-]+\/exec\?command=/);
        }
        if (e.user.extra?.['authentication.kubernetes.io/pod-name']) expect(e.user.extra['authentication.kubernetes.io/pod-uid']).toHaveLength(1);
        stages.set(e.auditID, [...(stages.get(e.auditID) ?? []), e.stage]);
      }
    }
    expect(n).toBeGreaterThan(2000);
    const kinds = new Set([...stages.values()].map((s) => s.join('+')));
    expect(kinds).toContain('ResponseComplete');
    expect(kinds).toContain('RequestReceived+ResponseComplete');
    expect(kinds).toContain('ResponseStarted+ResponseComplete');
  });

  it('writes application events in the seed shape with microsecond UTC timestamps, in time order', () => {
    const inc = incident(13);
    let last = '';
    const actions = new Set<string>();
    for (const l of lines(inc, 'app/events.jsonl')) {
      const e = JSON.parse(l) as Record<string, unknown>;
      expect(Object.keys(e)).toEqual(['ts', 'action', 'resource', 'job_id', 'user', 'namespace', 'details']);
      expect(e.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(parseTimestampMicros(e.ts as string)).not.toBeNull();
      expect((e.ts as string) >= last).toBe(true);
      last = e.ts as string;
      actions.add(e.action as string);
    }
    for (const a of ['train_step', 'checkpoint_save', 'checkpoint_load', 'eval', 'dataset_read', 'model_export', 'artifact_upload']) expect(actions).toContain(a);
  });

  it('keeps audit files chronological across rotation, each under the rotation size', () => {
    const inc = incident(13);
    const paths = auditFiles(inc).sort(); // backups sort by their time stamp; the live file last
    const ordered = [...paths.filter((p) => p.endsWith('.gz')), 'audit/kube-apiserver-audit.log'];
    let last = '';
    for (const p of ordered) {
      const ls = lines(inc, p);
      expect(Buffer.byteLength(text(inc, p))).toBeLessThanOrEqual(1024 * 1024);
      for (const l of ls) {
        const st = (JSON.parse(l) as { stageTimestamp: string }).stageTimestamp;
        expect(st >= last).toBe(true);
        last = st;
      }
    }
  });

  it('writes DCGM captures in the exposition format with dcgm-exporter labels and a distinct attack profile', () => {
    const inc = incident(11);
    const sample = /^(DCGM_FI_[A-Z_]+)\{gpu="(\d+)",UUID="(GPU-[0-9a-f-]+)",pci_bus_id="([0-9A-F:.]+)",device="nvidia\d+",modelName="[^"]+",Hostname="([a-z0-9-]+)",DCGM_FI_DRIVER_VERSION="[0-9.]+",container="([^"]*)",namespace="([^"]*)",pod="([^"]*)"\} (-?[0-9.]+) (\d{13})$/;
    const t = inc.labels.trajectories.find((x) => x.malicious)!;
    const conv = t.gpuWindows!.find((w) => w.phase === 'conversion')!;
    let fbInConversion = 0;
    let tensorInConversion = 1;
    for (const path of inc.files.map((f) => f.path).filter((p) => p.startsWith('dcgm/'))) {
      for (const l of lines(inc, path)) {
        if (l.startsWith('# HELP ') || l.startsWith('# TYPE ')) {
          expect(l).toMatch(/^# (HELP DCGM_FI_[A-Z_]+ .+|TYPE DCGM_FI_[A-Z_]+ gauge)$/);
          continue;
        }
        const m = sample.exec(l);
        expect(m, l).not.toBeNull();
        const ts = new Date(Number(m![10])).toISOString();
        if (m![3] === conv.uuid && ts > conv.start && ts < conv.end) {
          if (m![1] === 'DCGM_FI_DEV_FB_USED') fbInConversion = Math.max(fbInConversion, Number(m![9]));
          if (m![1] === 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE') tensorInConversion = Math.min(tensorInConversion, Number(m![9]));
          expect(m![8]).toBe(t.artifacts!.find((a) => a.role === 'copy')!.path.split('/')[1]);
        }
      }
    }
    expect(fbInConversion).toBeGreaterThan(1000);
    expect(tensorInConversion).toBeLessThan(0.05);
  });

  it('ships the checkpoints as torch zip files the project zip reader reads, and a safetensors conversion', async () => {
    const inc = incident(11);
    const pts = inc.files.filter((f) => f.path.startsWith('checkpoints/') && f.path.endsWith('/model.pt'));
    expect(pts.length).toBe(2);
    for (const f of pts) {
      const dir = await readZipDirectory(bufferSource(f.path, f.bytes), 1000);
      expect(dir.via).toBe('central-directory');
      expect(dir.warnings).toEqual([]);
      expect(dir.entries.map((e) => e.name.split('/').slice(1).join('/'))).toEqual(expect.arrayContaining(['data.pkl', 'byteorder', 'data/0', 'version', '.data/serialization_id']));
      for (const e of dir.entries) {
        expect(e.method).toBe(0);
        const v = Buffer.from(f.bytes);
        const dataOffset = e.localHeaderOffset + 30 + v.readUInt16LE(e.localHeaderOffset + 26) + v.readUInt16LE(e.localHeaderOffset + 28);
        expect(dataOffset % 64).toBe(0);
        if (e.name.endsWith('/data.pkl')) {
          expect([v[dataOffset], v[dataOffset + 1], v[dataOffset + e.uncompressedSize - 1]]).toEqual([0x80, 0x02, 0x2e]);
        }
      }
    }
    const st = inc.files.find((f) => f.path.endsWith('.safetensors'))!;
    const hlen = Number(Buffer.from(st.bytes).readBigUInt64LE(0));
    const header = JSON.parse(Buffer.from(st.bytes.subarray(8, 8 + hlen)).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
    const ends = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, v]) => v.data_offsets[1]);
    expect(8 + hlen + Math.max(...ends)).toBe(st.bytes.length);
  });

  it('lists every bundle file with its SHA-256 in manifest.json', () => {
    const inc = incident(12);
    const manifest = JSON.parse(text(inc, 'manifest.json')) as { incident_id: string; cluster: string; time_window: { start: string; end: string }; artifacts: Array<{ path: string; sha256: string }> };
    expect(manifest.incident_id).toMatch(/^INC-\d{8}-\d{4}$/);
    expect(Date.parse(manifest.time_window.end) - Date.parse(manifest.time_window.start)).toBe(60 * 60_000);
    const others = inc.files.filter((f) => f.path !== 'manifest.json');
    expect(manifest.artifacts.map((a) => a.path).sort()).toEqual(others.map((f) => f.path).sort());
    for (const a of manifest.artifacts) expect(a.sha256).toBe(createHash('sha256').update(others.find((f) => f.path === a.path)!.bytes).digest('hex'));
  });

  it('leaks no ground truth into the bundle', () => {
    for (const seed of [11, 12]) {
      const inc = incident(seed);
      for (const f of inc.files) {
        const body = f.path.endsWith('.gz') ? gunzipSync(f.bytes) : Buffer.from(f.bytes);
        const t = body.toString('latin1').toLowerCase();
        for (const word of ['malicious', 'exfil', 'anomal', '"phase"', 'attack', 'recon', 'staging', 'conversion', 'label', 'ground truth', 'weight-exfil', 'trajector']) {
          if (word === 'label' && !f.path.startsWith('checkpoints/')) continue; // k8s object labels are part of real requests
          expect(t.includes(word), `${word} in ${f.path}`).toBe(false);
        }
      }
    }
  });

  it('varies the attack across seeds and options, never throwing', () => {
    const seen = new Set<string>();
    for (let seed = 100; seed < 105; seed++) {
      const inc = generateIncident({ scenario: 'weight-exfil', seed, durationMinutes: 30 + (seed % 3) * 15, benignJobs: 2 + (seed % 7) });
      const t = inc.labels.trajectories.find((x) => x.malicious)!;
      expect(new Set(t.events.map((e) => e.phase)).size).toBe(4);
      const p = inc.labels.params as { channel: string; exposure: string; format: string };
      seen.add(`${p.channel}/${p.exposure}/${p.format}`);
    }
    expect(seen.size).toBeGreaterThan(2);
    expect(() => generateIncident({ scenario: 'weight-exfil', seed: 1.5 })).toThrow(RangeError);
    expect(() => generateIncident({ scenario: 'weight-exfil', seed: 1, durationMinutes: 5 })).toThrow(RangeError);
  });

  it('honours an explicit start time', () => {
    const start = new Date('2026-11-20T10:00:00Z');
    const inc = generateIncident({ scenario: 'weight-exfil', seed: 3, start, durationMinutes: 90 });
    const m = JSON.parse(text(inc, 'manifest.json')) as { time_window: { start: string; end: string } };
    expect(m.time_window).toEqual({ start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:30:00.000Z' });
  });
});
