/**
 * Renders the episodes of one benchmark split into one incident bundle — audit logs rotated with
 * gzip backups, one app-event log, one Prometheus query_range capture per episode, manifest — and
 * its labels. Records outside their episode's window are cut, as a collection would cut them.
 */
import { createHash } from 'node:crypto';
import { renderAppEvent } from './app-event.js';
import { rotateAuditLog, type PlacedLine } from './audit-log-files.js';
import type { Episode } from './benchmark-episode.js';
import { renderQueryRange } from './dcgm-query-range-export.js';
import type { BundleFile } from './incident-bundle.js';
import { isoMicros, isoMillis, lumberjackStamp } from './iso-time.js';
import { renderAuditStages } from './k8s-audit-event.js';
import type { LabelEvent, LabelTrajectory, Labels } from './labels.js';
import type { Prng } from './prng.js';
import type { RecordTag } from './timeline.js';

interface Tagged extends PlacedLine {
  seq: number;
  tag: RecordTag | null;
  ts: string;
}

export interface SplitMeta {
  split: string;
  seed: number;
  incidentId: string;
  auditMaxBytes: number;
  stepSeconds: number;
}

export function renderSplit(episodes: readonly Episode[], meta: SplitMeta, rng: Prng): { files: BundleFile[]; labels: Labels } {
  const present = new Set<string>();
  const events = new Map<string, LabelEvent[]>();
  const label = (tag: RecordTag | null, file: string, line: number, ts: string): void => {
    if (!tag?.trajectory) return;
    present.add(tag.trajectory);
    if (!tag.phase) return;
    const ev: LabelEvent = { file, line, ts, phase: tag.phase };
    if (tag.bytes !== undefined) ev.bytes = tag.bytes;
    let list = events.get(tag.trajectory);
    if (!list) events.set(tag.trajectory, (list = []));
    list.push(ev);
  };

  const lines: Tagged[] = [];
  const app: Array<{ text: string; tsUs: number; seq: number; tag: RecordTag }> = [];
  for (const ep of episodes) {
    for (const { req, tag } of ep.timeline.audit) {
      for (const l of renderAuditStages(req)) {
        if (l.stageUs < ep.startUs || l.stageUs >= ep.endUs) continue;
        lines.push({ stageUs: l.stageUs, text: l.text, seq: lines.length, tag: l.first ? tag : null, ts: isoMicros(req.receivedUs) });
      }
    }
    for (const e of ep.timeline.app) {
      if (e.event.tsUs >= ep.startUs && e.event.tsUs < ep.endUs) app.push({ text: renderAppEvent(e.event), tsUs: e.event.tsUs, seq: app.length, tag: e.tag });
    }
  }
  lines.sort((a, b) => a.stageUs - b.stageUs || a.seq - b.seq);
  const audit = rotateAuditLog(lines, meta.auditMaxBytes);
  lines.forEach((l, i) => label(l.tag, audit.positions[i]!.file, audit.positions[i]!.line, l.ts));
  const files: BundleFile[] = [...audit.files];

  app.sort((a, b) => a.tsUs - b.tsUs || a.seq - b.seq);
  const appPath = 'app/events.jsonl';
  app.forEach((e, i) => label(e.tag, appPath, i + 1, isoMicros(e.tsUs)));
  files.push({ path: appPath, bytes: Buffer.from(app.map((e) => e.text + '\n').join(''), 'utf8') });

  const dcgmPath = new Map<Episode, string>();
  episodes.forEach((ep, i) => {
    const nodes = ep.cluster.nodes.filter((n) => n.gpus.length > 0).map((n) => ({ hostname: n.name, driverVersion: ep.cluster.driverVersion, tracks: ep.timeline.gpu.tracks.filter((t) => t.device.node === n.name) }));
    const path = `dcgm/query_range-${lumberjackStamp(ep.startUs)}.json`;
    dcgmPath.set(ep, path);
    files.push({ path, bytes: Buffer.from(renderQueryRange(rng.fork(`dcgm/${i}`), nodes, ep.startUs, ep.endUs, meta.stepSeconds), 'utf8') });
  });

  const trajectories: LabelTrajectory[] = [];
  for (const ep of episodes) {
    for (const [job, family] of [...ep.timeline.families].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!present.has(job)) continue;
      const malicious = family !== 'benign';
      const evs = (events.get(job) ?? []).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
      const t: LabelTrajectory = { job, family, malicious, events: evs };
      const variant = ep.timeline.variants.get(job);
      if (variant) t.variant = variant;
      if (malicious && evs.length > 0) t.firstMalicious = { file: evs[0]!.file, line: evs[0]!.line, ts: evs[0]!.ts };
      const windows = ep.timeline.gpuWindows.filter((w) => w.trajectory === job && w.endUs > w.startUs);
      if (windows.length > 0) {
        t.gpuWindows = windows.map((w) => ({ file: dcgmPath.get(ep)!, hostname: w.device.node, gpu: w.device.index, uuid: w.device.uuid, start: isoMicros(w.startUs), end: isoMicros(Math.min(w.endUs, ep.endUs)), phase: w.phase }));
      }
      const params = ep.params.get(job);
      if (params) t.params = params;
      trajectories.push(t);
    }
  }

  const startUs = Math.min(...episodes.map((e) => e.startUs));
  const endUs = Math.max(...episodes.map((e) => e.endUs));
  const manifest = {
    incident_id: meta.incidentId,
    cluster: episodes[0]?.cluster.name ?? 'unknown',
    time_window: { start: isoMillis(startUs), end: isoMillis(endUs) },
    artifacts: [...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.bytes).digest('hex') })),
  };
  files.push({ path: 'manifest.json', bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') });
  const labels: Labels = { scenario: 'benchmark', seed: meta.seed, generatedAt: isoMillis(endUs), incident_id: meta.incidentId, params: { split: meta.split, episodes: episodes.length }, trajectories };
  return { files, labels };
}
