/**
 * The name-list checks of a behavioural spec compiled to predicates: allowed actors (globs, plus
 * service accounts written `namespace:name` → `system:serviceaccount:namespace:name`), allowed
 * checkpoint writers, and allowed exec commands (globs over the command joined with spaces,
 * case-sensitive: `sh -c` is not `SH -C`). A null predicate means the spec does not constrain it.
 */
import type { EgressEntry } from './egress-match.js';
import type { SpecDoc } from './spec-schema.js';
import { compileNameGlob } from './wildcard.js';

export interface SpecChecks {
  actorAllowed: ((actor: string) => boolean) | null;
  checkpointActorAllowed: ((actor: string) => boolean) | null;
  execAllowed: ((command: string) => boolean) | null;
  egressAllow: readonly EgressEntry[];
  egressDeny: readonly EgressEntry[];
}

function anyOf(globs: readonly string[], cased: boolean): (s: string) => boolean {
  const tests = globs.map((g) => compileNameGlob(g, cased));
  return (s) => {
    for (const t of tests) if (t(s)) return true;
    return false;
  };
}

export function buildSpecChecks(s: SpecDoc, egressAllow: EgressEntry[], egressDeny: EgressEntry[]): SpecChecks {
  const actors = [...(s.actors?.allow ?? []), ...(s.actors?.service_accounts ?? []).map((sa) => `system:serviceaccount:${sa}`)];
  return {
    actorAllowed: s.actors ? anyOf(actors, true) : null,
    checkpointActorAllowed: s.checkpoints?.actors ? anyOf(s.checkpoints.actors, true) : null,
    execAllowed: s.exec ? anyOf(s.exec.allow, true) : null,
    egressAllow,
    egressDeny,
  };
}
