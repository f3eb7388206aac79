/**
 * What the text columns of a case file hold, made from a record (DESIGN.md "Data model"): an
 * event's `attrs` and `raw`, a series' labels, a quarantine row's head. Shared by the record
 * writer (store/record-writer.ts) and the parse worker, which serialises rows off the main thread
 * (ingest/row-encoder.ts): both must write the same text for the same record. (For audit events
 * the worker writes the attrs bytes itself, ingest/audit-attrs-writer.ts, tested against
 * eventAttrsJson.)
 */

/**
 * A text column's value: a string, or its UTF-8 bytes (bound as a blob and cast to TEXT in SQL,
 * which stores the same text without turning the bytes into a JS string and back).
 */
export type ColumnText = string | Uint8Array;

/**
 * The `attrs` column of an event: its attrs as JSON, without `attrs.audit` (the audit event
 * itself is the `raw` column). Setting the key to undefined drops it from JSON.stringify at its
 * place, so the text equals that of a copy without the key, and no copy is made per record.
 */
export function eventAttrsJson(attrs: Record<string, unknown>): string {
  const audit = attrs.audit;
  if (audit === undefined) return JSON.stringify(attrs);
  attrs.audit = undefined;
  try {
    return JSON.stringify(attrs);
  } finally {
    attrs.audit = audit;
  }
}

/** Whether an event's `raw` column is the line being read (else `eventRawText` builds it). */
export function rawIsLine(attrs: Record<string, unknown>, currentRaw: string | null): boolean {
  // One line holding an array or EventList carries many records: each keeps its own item as raw.
  return currentRaw !== null && attrs.item === undefined;
}

/** The `raw` column: the record's line as read, else (a record framed from a document) its audit event as JSON. */
export function eventRawText(attrs: Record<string, unknown>, currentRaw: string | null): string | null {
  if (rawIsLine(attrs, currentRaw)) return currentRaw;
  return attrs.audit !== undefined ? JSON.stringify(attrs.audit) : null;
}

/** Series labels as JSON, without `raw` (a NaN/Inf literal is a property of the sample, not the series). */
export function seriesLabelsJson(labels: Record<string, string> | undefined): string {
  if (!labels) return '{}';
  return JSON.stringify('raw' in labels ? { ...labels, raw: undefined } : labels);
}

/** The first 200 UTF-16 units of a raw record, for a quarantine row. */
export function headOfText(raw: ColumnText | null): string {
  if (raw === null) return '';
  return (typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8', 0, 800)).slice(0, 200);
}

/** A text column's value as a JS string. */
export function textOf(value: ColumnText): string {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/** `seriesLabelsJson`, computed once per labels object (readers hand one object to every sample of a series). */
export class LabelsJsonMemo {
  private readonly byObject = new WeakMap<object, string>();

  of(labels: Record<string, string> | undefined): string {
    if (!labels) return '{}';
    let json = this.byObject.get(labels);
    if (json === undefined) {
      json = seriesLabelsJson(labels);
      this.byObject.set(labels, json);
    }
    return json;
  }
}
