/** What every generator (benign noise and attack families) works with. */
import type { Cluster, ClusterBuilder } from './cluster.js';
import type { Prng } from './prng.js';
import type { Timeline } from './timeline.js';

export interface ScenarioContext {
  builder: ClusterBuilder;
  cluster: Cluster;
  timeline: Timeline;
  startUs: number;
  endUs: number;
  /** A monotonically growing etcd resourceVersion, for watch and list queries. */
  resourceVersion(atUs: number): number;
  /** The scenario's seeded stream; generators fork their own named streams from it. */
  rng: Prng;
}

/** An etcd revision that grows with time at a cluster-like write rate. */
export function resourceVersionClock(rng: Prng, startUs: number): (atUs: number) => number {
  const base = rng.int(180_000_000, 420_000_000);
  const perSecond = rng.range(35, 90);
  return (atUs) => Math.floor(base + ((atUs - startUs) / 1e6) * perSecond);
}
