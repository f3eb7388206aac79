/**
 * The name-list checks of a behavioural spec compiled to predicates: allowed actors (globs, plus
 * service accounts written `namespace:name` → `system:serviceaccount:namespace:name`), allowed
 * checkpoint writers, and allowed exec commands (globs over the command joined with spaces,
 * case-sensitive: `sh -c` is not `SH -C`; their wildcards never stand for shell control characters,
 * wildcard.ts `compileCommandGlob`). A null predicate means the spec does not constrain it.
 */
import type { EgressEntry } from './egress-match.js';
import type { SpecDoc } from './spec-schema.js';
import { compileCommandGlob, compileNameGlob } from './wildcard.js';

export interface SpecChecks {
  actorAllowed: ((actor: string) => boolean) | null;
  checkpointActorAllowed: ((actor: string) => boolean) | null;
  execAllowed: ((command: string) => boolean) | null;
  egressAllow: readonly EgressEntry[];
  egressDeny: readonly EgressEntry[];
}

function anyOf(tests: ReadonlyArray<(s: string) => boolean>): (s: string) => boolean {
  return (s) => {
    for (const t of tests) if (t(s)) return true;
    return false;
  };
}

const names = (globs: readonly string[]) => anyOf(globs.map((g) => compileNameGlob(g, true)));

export function buildSpecChecks(s: SpecDoc, egressAllow: EgressEntry[], egressDeny: EgressEntry[]): SpecChecks {
  const actors = [...(s.actors?.allow ?? []), ...(s.actors?.service_accounts ?? []).map((sa) => `system:serviceaccount:${sa}`)];
  return {
    actorAllowed: s.actors ? names(actors) : null,
    checkpointActorAllowed: s.checkpoints?.actors ? names(s.checkpoints.actors) : null,
    execAllowed: s.exec ? anyOf(s.exec.allow.map(compileCommandGlob)) : null,
    egressAllow,
    egressDeny,
  };
}
