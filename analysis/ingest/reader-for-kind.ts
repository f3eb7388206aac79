/** Picks the record reader for a detected source kind. */
import type { LineReader, Micros, ReaderLimits, RecordSink } from '../core/records.js';
import type { SourceKind } from '../core/kinds.js';
import { createAuditReader } from './readers/k8s-audit.js';
import { createAppEventReader } from './readers/app-events.js';
import { createDcgmPromReader } from './readers/dcgm-prom.js';
import { createDcgmQueryRangeReader } from './readers/dcgm-query-range.js';
import { createDcgmDmonReader } from './readers/dcgm-dmon.js';
import { createDcgmCsvReader } from './readers/dcgm-csv.js';

export interface ReaderContext {
  limits: ReaderLimits;
  /** Timestamp for formats without one (dmon tables, scrapes without timestamps). */
  fallbackTs: Micros;
}

export function readerForKind(kind: SourceKind, sink: RecordSink, ctx: ReaderContext): LineReader | null {
  const dcgmOpts = { fallbackTs: ctx.fallbackTs, scrapeIntervalUs: 30_000_000 };
  switch (kind) {
    case 'k8s_audit':
      return createAuditReader(sink, ctx.limits);
    case 'app_events':
      return createAppEventReader(sink, ctx.limits);
    case 'dcgm_prom':
      return createDcgmPromReader(sink, ctx.limits, dcgmOpts);
    case 'dcgm_query_range':
      return createDcgmQueryRangeReader(sink, ctx.limits, dcgmOpts);
    case 'dcgm_dmon':
      // dmon prints a row per entity every `-d` ms (default 1000), not every exporter scrape.
      return createDcgmDmonReader(sink, ctx.limits, { fallbackTs: ctx.fallbackTs, scrapeIntervalUs: 1_000_000 });
    case 'dcgm_csv':
      return createDcgmCsvReader(sink, ctx.limits, dcgmOpts);
    default:
      return null;
  }
}
