/**
 * The events of Layer 1's pass kept by trajectory for Layer 2, within a memory budget. Layer 2
 * scores events with their trajectory's earlier events, so it used to read every trajectory
 * holding an event to score back from the case (on the benchmark's train split ~62% of the case,
 * one indexed query per trajectory): the rows Layer 1 had just read and parsed. Kept here while
 * the case is small enough, Layer 2 reads none back; a case past the budget is read back as
 * before, so memory stays bounded whatever the case's size.
 *
 * An event is kept as Layer 2's read-back gives it: `raw` null (the judge reads the raw record
 * of the events it is shown), and for an audit event `attrs` without the parsed audit object
 * (caseEvents restores it for the rules; the features read the normalised attrs and the judge's
 * evidence drops it, so Layer 2 gets the same from either).
 */
import type { CaseEvent } from './case-events.js';
import { trajectoryKey } from './layer2-scorer.js';

/**
 * Estimated bytes kept events may hold together. The estimate is generous: on the benchmark's train
 * split it is ~2 KB an event where the heap grows by ~650 bytes, so a case of up to ~65k events
 * (~40 MB) is kept and a larger one read back.
 */
export const KEPT_EVENT_BYTES = 128 * 1024 * 1024;

/**
 * A kept event's estimated size: its normalised attrs are a reading of its raw record, so no more
 * than about the raw text (two bytes a UTF-16 unit) plus the object's fixed fields.
 */
function estimate(e: CaseEvent): number {
  return 512 + 2 * (e.raw === null ? 4096 : e.raw.length);
}

export class KeptTrajectories {
  private byKey: Map<string, CaseEvent[]> | null = new Map();
  private bytes = 0;

  constructor(private readonly budget: number = KEPT_EVENT_BYTES) {}

  /** Keeps the event (events come in (ts, id) order); past the budget, everything kept is let go. */
  add(e: CaseEvent, key: string = trajectoryKey(e)): void {
    const byKey = this.byKey;
    if (byKey === null) return;
    this.bytes += estimate(e);
    if (this.bytes > this.budget) {
      this.byKey = null;
      return;
    }
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    const attrs = e.source === 'k8s_audit' && e.raw !== null ? withoutAudit(e.attrs) : e.attrs;
    list.push({ ...e, raw: null, attrs });
  }

  /** Every event of each trajectory, in (ts, id) order; null when the case went past the budget. */
  get trajectories(): ReadonlyMap<string, readonly CaseEvent[]> | null {
    return this.byKey;
  }
}

function withoutAudit(attrs: Record<string, unknown>): Record<string, unknown> {
  const { audit: _audit, ...rest } = attrs;
  return rest;
}
