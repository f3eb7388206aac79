/**
 * Bounds the findings of one pickle report. A hostile pickle can repeat an opcode pattern a million
 * times (GLOBAL of distinct harmless names, REDUCE on a computed callee, BUILD on a global), and one
 * finding per occurrence would make the report as large as the file. Findings are capped per kind
 * (id + severity): the first ones are listed, the rest are counted in one summary line of the same
 * id and severity, so the verdict (verdict.ts: id prefix and severity) is exactly what it was.
 */
import { PICKLE_FINDING_IDS as F } from './finding-ids.js';
import type { PickleFinding } from './analyze.js';

/** Findings of one kind listed per report. */
export const MAX_FINDINGS_PER_KIND = 50;
/**
 * Distinct dangerous imports listed per report: each names code a loader would run, so far more of
 * them are kept, yet a bound remains (the denylist matches whole modules: `os.f0` … `os.f999999`).
 */
export const MAX_DANGEROUS_IMPORT_FINDINGS = 1000;

function capOf(id: string): number {
  return id === F.importDangerous || id === F.importObfuscatedName ? MAX_DANGEROUS_IMPORT_FINDINGS : MAX_FINDINGS_PER_KIND;
}

/** Where findings are written: an array, or a CappedFindings that keeps only what will be listed. */
export interface FindingOut {
  push(f: PickleFinding): void;
  /** Present on CappedFindings: false when the next finding of this kind is only counted. */
  hasRoom?(id: string, severity: string): boolean;
}

/**
 * Collects findings already capped, so 10^5 findings of one kind are counted, not kept: the first
 * ones of each kind in order, then one "N more" line per kind over its cap (`finish`). A summary
 * line rolled up from a nested report counts for the findings it stands for.
 */
export class CappedFindings implements FindingOut {
  private readonly list: PickleFinding[] = [];
  private readonly listed = new Map<string, number>();
  private readonly over = new Map<string, { first: PickleFinding; more: number }>();

  /** False once findings of this kind are only counted: a caller may then skip building the message. */
  hasRoom(id: string, severity: string): boolean {
    return (this.listed.get(`${id}\n${severity}`) ?? 0) < capOf(id);
  }

  push(f: PickleFinding): void {
    const key = `${f.id}\n${f.severity}`;
    const n = this.listed.get(key) ?? 0;
    if (n < capOf(f.id)) {
      this.listed.set(key, n + 1);
      this.list.push(f);
      return;
    }
    const stands = f.omitted ?? 1;
    const o = this.over.get(key);
    if (o) o.more += stands;
    else this.over.set(key, { first: f, more: stands });
  }

  finish(): PickleFinding[] {
    const out = this.list.slice();
    for (const { first, more } of this.over.values()) {
      out.push({
        id: first.id, severity: first.severity, offset: first.offset, omitted: more,
        message: `${more} more ${first.id} findings (${first.severity}) not listed; the first is at byte ${first.offset ?? '?'}`,
      });
    }
    return out;
  }
}

/** `list` with the same cap applied (CappedFindings over an existing list). */
export function capFindings(list: readonly PickleFinding[]): PickleFinding[] {
  const c = new CappedFindings();
  for (const f of list) c.push(f);
  return c.finish();
}
