/**
 * A field test fused with the read of a top-level property (detection.ts compiles every field
 * condition through it).
 */
import type { FieldTest } from './field-test.js';
import type { Getter } from './field-path.js';

type Pred<T> = (s: T) => boolean;
type Subject = Record<string, unknown>;

/**
 * Fuses a top-level property read with a string test. Each property gets its own closure text so
 * the read is a named (inline-cached) load, not a keyed one; the value reaches the string test
 * without the generic matcher in between. Falls back to get + matches for everything else.
 */
export function fusedPred<T>(prop: string | undefined, get: Getter<T>, test: FieldTest): Pred<T> {
  const m = test.matches;
  const st = test.strings;
  if (prop === undefined || st === undefined) return (s) => m(get(s));
  switch (prop) {
    case 'action':
      return (s) => { const v = (s as Subject).action; return typeof v === 'string' ? st(v) : m(v); };
    case 'source':
      return (s) => { const v = (s as Subject).source; return typeof v === 'string' ? st(v) : m(v); };
    case 'resource':
      return (s) => { const v = (s as Subject).resource; return typeof v === 'string' ? st(v) : m(v); };
    case 'actor':
      return (s) => { const v = (s as Subject).actor; return typeof v === 'string' ? st(v) : m(v); };
    case 'namespace':
      return (s) => { const v = (s as Subject).namespace; return typeof v === 'string' ? st(v) : m(v); };
    case 'job':
      return (s) => { const v = (s as Subject).job; return typeof v === 'string' ? st(v) : m(v); };
    case 'outcome':
      return (s) => { const v = (s as Subject).outcome; return typeof v === 'string' ? st(v) : m(v); };
    case 'verb':
      return (s) => { const v = (s as Subject).verb; return typeof v === 'string' ? st(v) : m(v); };
    default:
      return (s) => { const v = (s as Subject)[prop]; return typeof v === 'string' ? st(v) : m(v); };
  }
}
