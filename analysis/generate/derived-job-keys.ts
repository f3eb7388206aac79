/**
 * Test support: runs the project's real ingest readers (audit, app events, DCGM query_range and
 * exposition text) over a generated bundle's files and returns the trajectory key the ingest
 * derives for every record line, and the GPU samples with their keys — so tests check labels
 * against what `mlshield ingest` will actually see, not against the generator's own tags.
 */
import { gunzipSync } from 'node:zlib';
import { DEFAULT_READER_LIMITS, type EventRecord, type GpuSample, type LineReader, type RecordSink } from '../core/records.js';
import { createAuditReader } from '../ingest/readers/k8s-audit.js';
import { createAppEventReader } from '../ingest/readers/app-events.js';
import { createDcgmQueryRangeReader } from '../ingest/readers/dcgm-query-range.js';
import type { BundleFile } from './incident-bundle.js';

export interface DerivedKeys {
  /** `file:line` → job of the record starting there (audit: every stage line). */
  jobs: Map<string, string | null>;
  samples: GpuSample[];
  quarantined: number;
}

function feed(reader: LineReader, text: string): void {
  let offset = 0;
  let lineNo = 1;
  for (;;) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) {
      if (offset < text.length) reader.line(text.slice(offset), lineNo, offset);
      break;
    }
    reader.line(text.slice(offset, nl), lineNo++, offset);
    offset = nl + 1;
  }
  reader.end();
}

export function deriveJobKeys(files: readonly BundleFile[]): DerivedKeys {
  const out: DerivedKeys = { jobs: new Map(), samples: [], quarantined: 0 };
  for (const f of files) {
    const text = (f.path.endsWith('.gz') ? gunzipSync(f.bytes) : Buffer.from(f.bytes)).toString('utf8');
    const sink: RecordSink = {
      event: (e: EventRecord) => void out.jobs.set(`${f.path}:${e.line}`, e.job),
      gpuRecord: (s: GpuSample[]) => void out.samples.push(...s),
      quarantine: () => void out.quarantined++,
    };
    if (f.path.startsWith('audit/')) feed(createAuditReader(sink, DEFAULT_READER_LIMITS), text);
    else if (f.path.startsWith('app/')) feed(createAppEventReader(sink, DEFAULT_READER_LIMITS), text);
    else if (f.path.startsWith('dcgm/') && f.path.endsWith('.json')) feed(createDcgmQueryRangeReader(sink, DEFAULT_READER_LIMITS, { fallbackTs: 0 }), text);
  }
  return out;
}
