import { describe, expect, it } from 'vitest';
import { auditNoiseLines } from './audit-noise.js';

describe('auditNoiseLines', () => {
  it('yields exactly `count` parseable audit.k8s.io/v1 Events of realistic size', () => {
    const lines = [...auditNoiseLines(6_000, 7)];
    expect(lines).toHaveLength(6_000);
    let bytes = 0;
    const stagesById = new Map<string, string[]>();
    const levels = new Set<string>();
    let last = '';
    const bad: string[] = [];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const micro = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
    for (const l of lines) {
      const e = JSON.parse(l) as Record<string, any>;
      const ok =
        !l.includes('\n') &&
        e.kind === 'Event' &&
        e.apiVersion === 'audit.k8s.io/v1' &&
        uuid.test(e.auditID) &&
        typeof e.user.username === 'string' &&
        typeof e.objectRef.resource === 'string' &&
        micro.test(e.requestReceivedTimestamp) &&
        micro.test(e.stageTimestamp) &&
        e.stageTimestamp >= e.requestReceivedTimestamp &&
        e.requestReceivedTimestamp >= last &&
        (e.stage === 'RequestReceived' || typeof e.responseStatus.code === 'number');
      if (!ok) bad.push(l);
      last = e.requestReceivedTimestamp;
      levels.add(e.level);
      stagesById.set(e.auditID, [...(stagesById.get(e.auditID) ?? []), e.stage]);
      bytes += Buffer.byteLength(l);
    }
    expect(bad).toEqual([]);
    const mean = bytes / lines.length;
    expect(mean).toBeGreaterThan(600);
    expect(mean).toBeLessThan(1500);
    expect(levels).toEqual(new Set(['Metadata', 'Request']));
    const pairs = [...stagesById.values()].filter((s) => s.join('+') === 'RequestReceived+ResponseComplete').length;
    expect(pairs).toBeGreaterThan(60);
    expect(pairs).toBeLessThan(stagesById.size / 5);
  });

  it('is deterministic per seed and different across seeds', () => {
    const a = [...auditNoiseLines(500, 1)];
    expect([...auditNoiseLines(500, 1)]).toEqual(a);
    expect([...auditNoiseLines(500, 2)]).not.toEqual(a);
    expect([...auditNoiseLines(0, 1)]).toEqual([]);
    expect([...auditNoiseLines(1, 1)]).toHaveLength(1);
  });

  it('streams large counts without materialising them', () => {
    let n = 0;
    let bytes = 0;
    for (const l of auditNoiseLines(200_000, 3)) {
      n++;
      bytes += l.length;
    }
    expect(n).toBe(200_000);
    expect(bytes).toBeGreaterThan(200_000 * 600);
  });
});
