/** Analyst annotations (stars, tags, comments) stored in the case file's `annotations` table. */
import type { Db } from '../store/case-store.js';
import type { AnnotatedItem, Annotation } from '../../contract/types.js';
import type { ParsedArgs } from '../../contract/calls.js';

type TargetKind = Annotation['targetKind'];

interface AnnotationRow {
  starred: number;
  tags: string;
  comment: string;
  updated_at: string;
}

function parseTags(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export function getAnnotation(db: Db, targetKind: TargetKind, targetId: number): Annotation {
  const r = db
    .prepare('SELECT starred, tags, comment, updated_at FROM annotations WHERE target_kind = ? AND target_id = ?')
    .get(targetKind, targetId) as AnnotationRow | undefined;
  if (!r) return { targetKind, targetId, starred: false, tags: [], comment: '', updatedAt: null };
  return { targetKind, targetId, starred: r.starred === 1, tags: parseTags(r.tags), comment: r.comment, updatedAt: r.updated_at };
}

/** Changes only the fields given; tags are trimmed and de-duplicated. */
export function setAnnotation(db: Db, input: ParsedArgs<'annotations.set'>, now = new Date()): Annotation {
  const prev = getAnnotation(db, input.targetKind, input.targetId);
  const tags = input.tags ? [...new Set(input.tags.map((t) => t.trim()).filter((t) => t !== ''))] : prev.tags;
  const next: Annotation = {
    targetKind: input.targetKind,
    targetId: input.targetId,
    starred: input.starred ?? prev.starred,
    tags,
    comment: input.comment ?? prev.comment,
    updatedAt: now.toISOString(),
  };
  db.prepare(
    `INSERT INTO annotations(target_kind, target_id, starred, tags, comment, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(target_kind, target_id) DO UPDATE SET starred = excluded.starred, tags = excluded.tags,
       comment = excluded.comment, updated_at = excluded.updated_at`,
  ).run(next.targetKind, next.targetId, next.starred ? 1 : 0, JSON.stringify(next.tags), next.comment, next.updatedAt);
  return next;
}

export function listAnnotations(db: Db): AnnotatedItem[] {
  const rows = db
    .prepare(
      `SELECT a.target_kind AS targetKind, a.target_id AS targetId, a.starred, a.tags, a.comment, a.updated_at AS updatedAt,
         e.ts, e.actor, e.action, e.resource, c.path AS checkpointPath
       FROM annotations a
       LEFT JOIN events e ON a.target_kind = 'event' AND e.id = a.target_id
       LEFT JOIN checkpoints c ON a.target_kind = 'checkpoint' AND c.id = a.target_id
       WHERE a.starred = 1 OR a.tags <> '[]' OR a.comment <> ''
       ORDER BY COALESCE(e.ts, 0), a.id`,
    )
    .all() as {
    targetKind: TargetKind;
    targetId: number;
    starred: number;
    tags: string;
    comment: string;
    updatedAt: string;
    ts: number | null;
    actor: string | null;
    action: string | null;
    resource: string | null;
    checkpointPath: string | null;
  }[];
  return rows.map((r) => ({
    targetKind: r.targetKind,
    targetId: r.targetId,
    starred: r.starred === 1,
    tags: parseTags(r.tags),
    comment: r.comment,
    updatedAt: r.updatedAt,
    ts: r.ts,
    label:
      r.targetKind === 'event'
        ? [r.actor ?? '—', r.action ?? '?', r.resource ?? ''].join(' ').trim()
        : r.targetKind === 'checkpoint'
          ? (r.checkpointPath ?? `checkpoint #${r.targetId}`)
          : `detection #${r.targetId}`,
  }));
}
