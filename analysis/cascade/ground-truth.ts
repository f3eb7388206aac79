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
      events: z.array(labelRef.extend({ phase: z.string(), bytes: z.number().optional() })),
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

/** Matches labels to events by (source path, line). Paths compare on their bundle-relative suffix. */
export function resolveGroundTruth(db: Db, gt: GroundTruth): ResolvedTrajectory[] {
  const sources = db.prepare("SELECT id, path FROM sources WHERE status IN ('ok','error')").all() as { id: number; path: string }[];
  const sourceFor = (file: string): number[] =>
    sources.filter((s) => s.path === file || s.path.endsWith('/' + file) || s.path.endsWith('!/' + file) || stripGz(s.path) === stripGz(file)).map((s) => s.id);
  const find = db.prepare('SELECT id FROM events WHERE source_id = ? AND line = ?');
  const cache = new Map<string, number[]>();
  return gt.trajectories.map((t) => {
    const malicious_events = new Map<number, { phase: string; bytes: number }>();
    let missing = 0;
    for (const ev of t.events) {
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
      if (found === null) missing++;
      else malicious_events.set(found, { phase: ev.phase, bytes: ev.bytes ?? 0 });
    }
    const r: ResolvedTrajectory = { job: t.job, family: t.family, malicious: t.malicious, malicious_events, missing };
    if (t.variant !== undefined) r.variant = t.variant;
    return r;
  });
}

function stripGz(p: string): string {
  return p.endsWith('.gz') ? p.slice(0, -3) : p;
}
