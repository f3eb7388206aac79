/**
 * The `attrs` of a Layer-1 detection, `{"hits":[…]}`, written without serialising each hit again.
 * A hit's stored fields (rule id, decision, severity, family, phase, ATT&CK and ATLAS ids) are its
 * rule's, the same for every event it matches, so each rule's fragment is serialised once and
 * reused while the hit still carries the same values (issue 3: whole-benchmark analysis time;
 * measured ~3-5 µs a detection for JSON.stringify of the hits, ~21k Layer-1 detections over the
 * benchmark). The text is exactly what JSON.stringify gives for the same object.
 */
import type { RuleHit } from './rules/compiled-rule.js';

interface Fragment {
  decision: RuleHit['decision'];
  severity: RuleHit['severity'];
  family: RuleHit['family'];
  phase: RuleHit['phase'];
  attack: string[];
  atlas: string[];
  json: string;
}

/** What a detection stores of a hit (the reason goes to `reasoning`; the title is the rule's). */
export function storedHit(h: RuleHit): Pick<RuleHit, 'ruleId' | 'decision' | 'severity' | 'family' | 'phase' | 'attack' | 'atlas'> {
  return { ruleId: h.ruleId, decision: h.decision, severity: h.severity, family: h.family, phase: h.phase, attack: h.attack, atlas: h.atlas };
}

export class HitJson {
  /** By rule id: the fragment last written for it. Bounded by the rules loaded (ids are not event data). */
  private readonly byRule = new Map<string, Fragment>();

  /** `JSON.stringify({ hits: hits.map(storedHit) })`. */
  attrs(hits: readonly RuleHit[]): string {
    let out = '{"hits":[';
    for (let i = 0; i < hits.length; i++) {
      if (i > 0) out += ',';
      out += this.fragment(hits[i]!);
    }
    return out + ']}';
  }

  private fragment(h: RuleHit): string {
    const f = this.byRule.get(h.ruleId);
    // The id arrays are the rule's own (compiled once), compared by identity: a hit that carries
    // other arrays, even equal ones, is serialised afresh (and becomes the rule's fragment).
    if (f !== undefined && f.decision === h.decision && f.severity === h.severity && f.family === h.family && f.phase === h.phase && f.attack === h.attack && f.atlas === h.atlas) {
      return f.json;
    }
    const json = JSON.stringify(storedHit(h));
    this.byRule.set(h.ruleId, { decision: h.decision, severity: h.severity, family: h.family, phase: h.phase, attack: h.attack, atlas: h.atlas, json });
    return json;
  }
}
