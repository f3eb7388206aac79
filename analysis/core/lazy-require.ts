/**
 * Packages that only some commands need, loaded on first use instead of at start: the Anthropic SDK
 * (the judge, with a key), ws (`mlshield serve`) and onnx-proto (`mlshield train`). Importing them
 * up front cost every fresh `mlshield` process about 0.3 s of module loading (measured on this
 * machine: the SDK 0.19 s as ESM, ws 0.06 s, onnx-proto 0.05 s), which `analyze` without a key,
 * `ingest` and `triage` never use. Each is loaded once, through Node's CommonJS loader (all three
 * ship a CommonJS build; the SDK's also loads in half the time of its ESM build).
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A getter that loads package `id` on its first call and returns the same module after. */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(id) as T);
}
