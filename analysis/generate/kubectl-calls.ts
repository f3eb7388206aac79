/** Request shapes kubectl produces: exec queries and cold-cache discovery. */
import { type Actor, goEncodeQuery } from './k8s-request.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';

/** kubectl's exec query (url.Values.Encode: sorted keys, repeated `command`). */
export function execQuery(command: string[], container: string, tty: boolean): string {
  const params: Array<[string, string]> = command.map((c) => ['command', c] as [string, string]);
  params.push(['container', container]);
  if (tty) params.push(['stdin', 'true'], ['stdout', 'true'], ['tty', 'true']);
  else params.push(['stderr', 'true'], ['stdout', 'true']);
  return goEncodeQuery(params);
}

/** kubectl's discovery on a cold cache. */
export function recordDiscovery(ctx: ScenarioContext, rng: Prng, actor: Actor, atUs: number, tag: RecordTag): number {
  let t = atUs;
  for (const path of ['/api', '/apis']) {
    ctx.timeline.call(rng, { at: t, actor, verb: 'get', path, query: 'timeout=32s' }, tag);
    t += rng.int(3_000, 40_000);
  }
  return t;
}
