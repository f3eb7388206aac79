/**
 * Ground truth (`labels.json` from `mlshield generate`) resolved against a case: each labelled
 * record found by its bundle path and 1-based line (the provenance every event keeps). Labels are
 * read only to score the cascade, never by it.
 */
import { z } from 'zod';
import type { Db } from '../store/case-store.js';

const labelRef = z.object({ file: z.string(), line: z.number().int().positive(), ts: z.string() });
const labelsSchema = z.object({
  trajectories: z.array(
    z.object({
      job: z.string(),
      family: z.string(),
      malicious: z.boolean(),
      variant: z.string().optional(),
      // Bytes are a share's weights: a negative or astronomically large count (sums past 2^53 lose
      // precision, past 1e308 become Infinity and the share NaN) makes the file unusable, so it is refused.
      events: z.array(labelRef.extend({ phase: z.string(), bytes: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER).optional() })),
      gpuWindows: z
        .array(z.object({ hostname: z.string(), gpu: z.union([z.number(), z.string()]), start: z.string(), end: z.string(), phase: z.string() }))
        .optional(),
    }),
  ),
});
export type GroundTruth = z.infer<typeof labelsSchema>;

export function parseGroundTruth(text: string, name: string): GroundTruth {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = labelsSchema.safeParse(json);
  if (!r.success) throw new Error(`${name} is not a labels file: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return r.data;
}

export interface ResolvedTrajectory {
  job: string;
  family: string;
  malicious: boolean;
  variant?: string;
  /** Event ids of the labelled malicious records found in the case, with phase and bytes. */
  malicious_events: Map<number, { phase: string; bytes: number }>;
  /** Labelled records not found in the case (e.g. quarantined, or not ingested). */
  missing: number;
}

/**
 * Matches labels to events by (source path, line). Paths compare on their bundle-relative suffix;
 * a source whose path is exactly the label's is tried first, so a nested copy of the same file
 * name (`x/app/events.jsonl` beside `app/events.jsonl`) cannot take its records.
 *
 * Odd labels are tolerated, not trusted: a record named twice in one trajectory is one record (its
 * first entry's phase and bytes — otherwise its bytes would count twice, or `missing` would), and
 * a job listed twice is one trajectory (malicious when any entry is; family and variant from the
 * first malicious entry): the metrics count trajectories by job, so two entries for one job would
 * count its events, alerts and scores twice.
 */
export function resolveGroundTruth(db: Db, gt: GroundTruth): ResolvedTrajectory[] {
  const sources = db.prepare("SELECT id, path FROM sources WHERE status IN ('ok','error')").all() as { id: number; path: string }[];
  const sourceFor = (file: string): number[] => {
    const exact = sources.filter((s) => s.path === file).map((s) => s.id);
    const suffix = sources
      .filter((s) => s.path !== file && (s.path.endsWith('/' + file) || s.path.endsWith('!/' + file) || stripGz(s.path) === stripGz(file)))
      .map((s) => s.id);
    return [...exact, ...suffix];
  };
  const find = db.prepare('SELECT id FROM events WHERE source_id = ? AND line = ?');
  const cache = new Map<string, number[]>();
  const byJob = new Map<string, { r: ResolvedTrajectory; seen: Set<string> }>();
  for (const t of gt.trajectories) {
    let entry = byJob.get(t.job);
    if (!entry) {
      const r: ResolvedTrajectory = { job: t.job, family: t.family, malicious: t.malicious, malicious_events: new Map(), missing: 0 };
      if (t.variant !== undefined) r.variant = t.variant;
      byJob.set(t.job, (entry = { r, seen: new Set() }));
    } else if (t.malicious && !entry.r.malicious) {
      entry.r.malicious = true;
      entry.r.family = t.family;
      if (t.variant !== undefined) entry.r.variant = t.variant;
      else delete entry.r.variant;
    }
    const { r, seen } = entry;
    for (const ev of t.events) {
      const key = `${ev.line}\u0000${ev.file}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let ids = cache.get(ev.file);
      if (!ids) cache.set(ev.file, (ids = sourceFor(ev.file)));
      let found: number | null = null;
      for (const sid of ids) {
        const row = find.get(sid, ev.line) as { id: number } | undefined;
        if (row) {
          found = row.id;
          break;
        }
      }
      if (found === null) r.missing++;
      else if (!r.malicious_events.has(found)) r.malicious_events.set(found, { phase: ev.phase, bytes: ev.bytes ?? 0 });
    }
  }
  return [...byJob.values()].map((e) => e.r);
}

function stripGz(p: string): string {
  return p.endsWith('.gz') ? p.slice(0, -3) : p;
}
