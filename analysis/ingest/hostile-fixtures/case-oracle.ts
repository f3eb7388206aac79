/**
 * An oracle for ingestion, independent of the ingest code: it reads the case file with plain SQL
 * and checks it against what the test put into the bundle. Returns a list of problems (empty when
 * the case agrees), so a failing test says every disagreement at once.
 */
import Database from 'better-sqlite3';

export interface SourceRow {
  id: number;
  path: string;
  kind: string;
  status: string;
  note: string | null;
  sha256: string | null;
  records_read: number;
  records_stored: number;
  records_quarantined: number;
}

export interface QuarantineRow {
  source_id: number;
  path: string;
  line: number;
  offset: number;
  reason: string;
  head: string;
}

export interface CaseSnapshot {
  sources: SourceRow[];
  quarantine: QuarantineRow[];
  /** raw, source path and stages of every event row. */
  events: { raw: string | null; path: string; line: number; offset: number; stages: number; audit_id: string | null }[];
  gpuSamples: number;
}

export function readCase(casePath: string): CaseSnapshot {
  const db = new Database(casePath, { readonly: true, fileMustExist: true });
  try {
    return {
      sources: db.prepare('SELECT id, path, kind, status, note, sha256, records_read, records_stored, records_quarantined FROM sources ORDER BY id').all() as SourceRow[],
      quarantine: db
        .prepare('SELECT q.source_id, s.path, q.line, q.offset, q.reason, q.head FROM quarantine q JOIN sources s ON s.id = q.source_id ORDER BY q.id')
        .all() as QuarantineRow[],
      events: db
        .prepare('SELECT e.raw, s.path, e.line, e.offset, e.stages, e.audit_id FROM events e JOIN sources s ON s.id = e.source_id ORDER BY e.id')
        .all() as CaseSnapshot['events'],
      gpuSamples: (db.prepare('SELECT COUNT(*) AS n FROM gpu_samples').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

export interface Expectation {
  /** Records (non-empty lines) put into each record file, by its path as the case names it. */
  records: Readonly<Record<string, number>>;
  /**
   * Decompressed bytes of each record file, by path: offsets and heads are checked against them.
   * Several sources may share a path (duplicate entry names): give each one's bytes in a list.
   */
  contents?: Readonly<Record<string, Uint8Array | string | readonly (Uint8Array | string)[]>>;
}

const enc = new TextEncoder();

/** Every disagreement between the case and the expectation, one sentence each. */
export function accountingProblems(c: CaseSnapshot, exp: Expectation): string[] {
  const problems: string[] = [];
  const qBySource = new Map<number, number>();
  for (const q of c.quarantine) qBySource.set(q.source_id, (qBySource.get(q.source_id) ?? 0) + 1);
  for (const s of c.sources) {
    if (s.records_read !== s.records_stored + s.records_quarantined) {
      problems.push(`${s.path}: read ${s.records_read} != stored ${s.records_stored} + quarantined ${s.records_quarantined}`);
    }
    if ((qBySource.get(s.id) ?? 0) !== s.records_quarantined) {
      problems.push(`${s.path}: ${qBySource.get(s.id) ?? 0} quarantine rows for ${s.records_quarantined} quarantined records`);
    }
  }
  // Stored records are event rows (a row standing for `stages` records of one auditID) and GPU records.
  const storedEvents = c.sources.filter((s) => !s.kind.startsWith('dcgm')).reduce((a, s) => a + s.records_stored, 0);
  const stages = c.events.reduce((a, e) => a + e.stages, 0);
  if (stages !== storedEvents) problems.push(`event rows stand for ${stages} records, sources say ${storedEvents} stored`);

  const readByPath = new Map<string, number>();
  for (const s of c.sources) readByPath.set(s.path, (readByPath.get(s.path) ?? 0) + s.records_read);
  let expectedTotal = 0;
  for (const [path, n] of Object.entries(exp.records)) {
    expectedTotal += n;
    if ((readByPath.get(path) ?? 0) !== n) problems.push(`${path}: put in ${n} records, the case read ${readByPath.get(path) ?? 0}`);
  }
  const readTotal = c.sources.reduce((a, s) => a + s.records_read, 0);
  if (readTotal !== expectedTotal) problems.push(`put in ${expectedTotal} records in all, the case read ${readTotal}`);
  const accounted = c.sources.reduce((a, s) => a + s.records_stored + s.records_quarantined, 0);
  if (accounted !== expectedTotal) problems.push(`put in ${expectedTotal} records, stored + quarantined = ${accounted}`);

  // Every stored raw record is one input line, byte for byte.
  if (exp.contents) {
    const lines = new Set<string>();
    for (const text of Object.values(exp.contents).flatMap(alternatives)) {
      const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
      for (const l of s.split('\n')) lines.add(l);
    }
    for (const e of c.events) {
      if (e.raw === null || !lines.has(e.raw)) problems.push(`${e.path}:${e.line}: stored raw is not an input line: ${String(e.raw).slice(0, 80)}`);
    }
  }
  for (const q of c.quarantine) {
    const candidates = exp.contents?.[q.path];
    if (candidates === undefined) {
      problems.push(...quarantineRowProblems(q, undefined));
      continue;
    }
    // With several files of one path, the row must agree with one of them.
    const each = alternatives(candidates).map((content) => quarantineRowProblems(q, content));
    if (!each.some((p) => p.length === 0)) problems.push(...each[0]!);
  }
  return problems;
}

function alternatives(v: Uint8Array | string | readonly (Uint8Array | string)[]): readonly (Uint8Array | string)[] {
  return typeof v === 'string' || v instanceof Uint8Array ? [v] : v;
}

/** A quarantine row names its line and byte offset, gives a reason, and its head is the line's first bytes. */
function quarantineRowProblems(q: QuarantineRow, content: Uint8Array | string | undefined): string[] {
  const where = `${q.path}:${q.line}@${q.offset}`;
  const out: string[] = [];
  if (!(q.line >= 1)) out.push(`${where}: quarantine line ${q.line} is not a line number`);
  if (!(q.offset >= 0)) out.push(`${where}: quarantine offset ${q.offset} is negative`);
  if (q.reason.trim().length < 5) out.push(`${where}: quarantine reason ${JSON.stringify(q.reason)} says nothing`);
  if (Buffer.byteLength(q.head) > 200 + 3) out.push(`${where}: quarantine head holds ${Buffer.byteLength(q.head)} bytes`);
  if (content === undefined) return out;
  const bytes = typeof content === 'string' ? enc.encode(content) : content;
  if (q.offset > bytes.length) return [...out, `${where}: offset past the end of the file (${bytes.length} bytes)`];
  let newlines = 0;
  for (let i = 0; i < q.offset; i++) if (bytes[i] === 0x0a) newlines++;
  if (newlines + 1 !== q.line) out.push(`${where}: offset ${q.offset} is on line ${newlines + 1}, the row says ${q.line}`);
  if (q.offset > 0 && bytes[q.offset - 1] !== 0x0a) out.push(`${where}: offset ${q.offset} is not the start of a line`);
  const expected = Buffer.from(bytes.subarray(q.offset, q.offset + 200)).toString('utf8');
  // A cut multi-byte character or a stripped \r may end the head differently; its start must agree.
  const strip = (s: string): string => s.replace(/[\uFFFD\r\n].*$/s, '');
  const head = strip(q.head);
  if (!strip(expected).startsWith(head) || head.length < Math.min(strip(expected).length, 150)) {
    out.push(`${where}: head ${JSON.stringify(q.head.slice(0, 60))} is not the line's first bytes ${JSON.stringify(expected.slice(0, 60))}`);
  }
  return out;
}
