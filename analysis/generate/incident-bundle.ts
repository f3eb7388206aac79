/**
 * Turns a Timeline into the bundle's files (audit logs, app events, DCGM captures, checkpoints,
 * manifest) and the labels that point into them. Records outside the incident window are cut, as a
 * collection taken at a point in time would cut them.
 */
import { createHash } from 'node:crypto';
import { renderAppEvent } from './app-event.js';
import { rotateAuditLog, type PlacedLine } from './audit-log-files.js';
import type { Cluster } from './cluster.js';
import { renderDcgmNode } from './dcgm-scrape.js';
import { isoMicros, isoMillis } from './iso-time.js';
import { renderAuditStages } from './k8s-audit-event.js';
import type { LabelEvent, LabelTrajectory, Labels } from './labels.js';
import type { Prng } from './prng.js';
import type { RecordTag, Timeline } from './timeline.js';

export interface BundleFile {
  path: string;
  bytes: Uint8Array;
}

export interface BundleMeta {
  scenario: string;
  seed: number;
  incidentId: string;
  startUs: number;
  endUs: number;
  auditMaxBytes: number;
  scrapeIntervalUs: number;
  params: Record<string, unknown>;
}

interface Tagged extends PlacedLine {
  seq: number;
  tag: RecordTag | null;
  ts: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function renderIncident(timeline: Timeline, cluster: Cluster, meta: BundleMeta, rng: Prng): { files: BundleFile[]; labels: Labels } {
  const inWindow = (us: number): boolean => us >= meta.startUs && us < meta.endUs;
  const present = new Set<string>();
  const events = new Map<string, LabelEvent[]>();
  const label = (tag: RecordTag | null, file: string, line: number, ts: string): void => {
    if (!tag?.trajectory) return;
    present.add(tag.trajectory);
    if (!tag.phase) return;
    const ev: LabelEvent = { file, line, ts, phase: tag.phase };
    if (tag.bytes !== undefined) ev.bytes = tag.bytes;
    const list = events.get(tag.trajectory) ?? [];
    list.push(ev);
    events.set(tag.trajectory, list);
  };

  // Audit: every stage line in write order, then rotation.
  const lines: Tagged[] = [];
  for (const { req, tag } of timeline.audit) {
    for (const l of renderAuditStages(req)) {
      if (!inWindow(l.stageUs)) continue;
      lines.push({ stageUs: l.stageUs, text: l.text, seq: lines.length, tag: l.first ? tag : null, ts: isoMicros(req.receivedUs) });
    }
  }
  lines.sort((a, b) => a.stageUs - b.stageUs || a.seq - b.seq);
  const audit = rotateAuditLog(lines, meta.auditMaxBytes);
  lines.forEach((l, i) => label(l.tag, audit.positions[i]!.file, audit.positions[i]!.line, l.ts));
  const files: BundleFile[] = [...audit.files];

  // Application events.
  const app = timeline.app.map((e, seq) => ({ ...e, seq })).filter((e) => inWindow(e.event.tsUs));
  app.sort((a, b) => a.event.tsUs - b.event.tsUs || a.seq - b.seq);
  const appPath = 'app/events.jsonl';
  app.forEach((e, i) => label(e.tag, appPath, i + 1, isoMicros(e.event.tsUs)));
  files.push({ path: appPath, bytes: Buffer.from(app.map((e) => renderAppEvent(e.event) + '\n').join(''), 'utf8') });

  // DCGM: one capture per GPU node.
  for (const node of cluster.nodes) {
    if (node.gpus.length === 0) continue;
    const tracks = timeline.gpu.tracks.filter((t) => t.device.node === node.name);
    const text = renderDcgmNode(rng.fork(`dcgm/${node.name}`), { hostname: node.name, driverVersion: cluster.driverVersion, tracks }, meta.startUs, meta.endUs, meta.scrapeIntervalUs);
    files.push({ path: `dcgm/${node.name}.prom`, bytes: Buffer.from(text, 'utf8') });
  }

  for (const a of timeline.artifacts) {
    files.push({ path: a.path, bytes: a.bytes });
    if (a.trajectory) present.add(a.trajectory);
  }

  const trajectories: LabelTrajectory[] = [];
  for (const [job, family] of [...timeline.families].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!present.has(job)) continue;
    const malicious = family !== 'benign';
    const evs = (events.get(job) ?? []).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    const t: LabelTrajectory = { job, family, malicious, events: evs };
    if (malicious && evs.length > 0) t.firstMalicious = { file: evs[0]!.file, line: evs[0]!.line, ts: evs[0]!.ts };
    const windows = timeline.gpuWindows.filter((w) => w.trajectory === job);
    if (windows.length > 0) {
      t.gpuWindows = windows.map((w) => ({ file: `dcgm/${w.device.node}.prom`, hostname: w.device.node, gpu: w.device.index, uuid: w.device.uuid, start: isoMicros(w.startUs), end: isoMicros(w.endUs), phase: w.phase }));
    }
    const arts = timeline.artifacts.filter((a) => a.trajectory === job);
    if (arts.length > 0) t.artifacts = arts.map((a) => (a.tamper ? { path: a.path, role: a.role, tamper: a.tamper } : { path: a.path, role: a.role }));
    trajectories.push(t);
  }

  const manifest = {
    incident_id: meta.incidentId,
    cluster: cluster.name,
    time_window: { start: isoMillis(meta.startUs), end: isoMillis(meta.endUs) },
    artifacts: [...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => ({ path: f.path, sha256: sha256(f.bytes) })),
  };
  files.push({ path: 'manifest.json', bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') });

  const labels: Labels = {
    scenario: meta.scenario,
    seed: meta.seed,
    generatedAt: isoMillis(meta.endUs),
    incident_id: meta.incidentId,
    params: meta.params,
    trajectories,
  };
  return { files, labels };
}
