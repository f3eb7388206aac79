/**
 * Collects a parser's findings with a cap per kind, so a hostile file with a million bad entries
 * yields a readable list (the first few of each kind and one "and N more" line), not a million rows.
 */
import type { Finding } from '../finding.js';
import { formatFinding, FORMAT_FINDINGS, type FormatFindingKey } from './finding-ids.js';

const DEFAULT_PER_KIND = 20;

export class FindingSink {
  private readonly list: Finding[] = [];
  private readonly counts = new Map<FormatFindingKey, number>();

  constructor(private readonly perKind = DEFAULT_PER_KIND) {}

  add(kind: FormatFindingKey, message: string, location?: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= this.perKind) this.list.push(formatFinding(kind, message, location));
  }

  /** How many findings of `kind` were raised (reported or not). */
  count(kind: FormatFindingKey): number {
    return this.counts.get(kind) ?? 0;
  }

  /** The findings, with one summary line for each kind that went over the cap. */
  finish(): Finding[] {
    const out = this.list.slice();
    for (const [kind, n] of this.counts) {
      if (n > this.perKind) {
        out.push(formatFinding(kind, `${n - this.perKind} more ${FORMAT_FINDINGS[kind].id} findings not listed`));
      }
    }
    return out;
  }
}
