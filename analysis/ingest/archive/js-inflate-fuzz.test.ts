/**
 * Seeded fuzz of JsInflater: real deflate streams (dynamic, fixed, stored, several levels) with
 * bits flipped, bytes replaced, inserted, deleted, spliced or cut, each read alongside node's zlib.
 * Nothing throws; every call stays inside its buffers; the outcome is zlib's, to the byte: the
 * same output (before an error too), the same error message, and for a stream that ends well the
 * same count of bytes used.
 */
import { readFileSync } from 'node:fs';
import { constants as zc, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jsInflate, rng, zlibInflate, type Inflated } from './inflate-drive.test-support.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const LOG = fixture('audit2rbac__demo.log');
const DCGM = fixture('datadog__dcgm_metrics.txt');


const STREAMS: [string, Buffer][] = [
  ['dynamic, level 6', deflateRawSync(LOG)],
  ['dynamic, level 1, several blocks', deflateRawSync(Buffer.concat([DCGM, LOG, DCGM]), { level: 1 })],
  ['fixed', deflateRawSync(LOG.subarray(0, 20_000), { strategy: zc.Z_FIXED })],
  ['stored then dynamic', Buffer.concat([deflateRawSync(DCGM.subarray(0, 3000), { level: 0, finishFlush: zc.Z_SYNC_FLUSH }), deflateRawSync(DCGM)])],
];

/** One seeded mutation of `b`. Mostly near the start: the header and tables are where bugs hide. */
function mutate(b: Buffer, r: (n: number) => number): Buffer {
  const m = Buffer.from(b);
  const at = r(3) === 0 ? r(m.length) : r(Math.min(m.length, 200));
  switch (r(6)) {
    case 0:
      m[at] = m[at]! ^ (1 << r(8));
      return m;
    case 1:
      for (let k = 0; k < 1 + r(8); k++) m[r(m.length)] = r(256);
      return m;
    case 2:
      return Buffer.concat([m.subarray(0, at), Buffer.from([r(256), r(256)]).subarray(0, 1 + r(2)), m.subarray(at)]);
    case 3:
      return Buffer.concat([m.subarray(0, at), m.subarray(at + 1 + r(4))]);
    case 4: {
      const other = STREAMS[r(STREAMS.length)]![1];
      return Buffer.concat([m.subarray(0, at), other.subarray(r(other.length))]);
    }
    default:
      return m.subarray(0, r(m.length));
  }
}

function expectSameAsZlib(js: Inflated, zlib: Inflated, what: string): void {
  expect(js.error, what).toBe(zlib.error);
  expect(js.out.length, what).toBe(zlib.out.length);
  expect(js.out.equals(zlib.out), what).toBe(true);
  if (zlib.error === null) expect(js.read, what).toBe(zlib.read);
}

describe('JsInflater: fuzz against zlib', () => {
  for (const [name, stream] of STREAMS) {
    it(`${name}: 120 seeded mutations give zlib's outcome`, () => {
      const r = rng(0x5eed + stream.length);
      const outcomes = new Map<string, number>();
      for (let i = 0; i < 120; i++) {
        const m = mutate(stream, r);
        const inStep = [1, 7, 4096, m.length][r(4)]!;
        const outStep = [1, 300, 65_536][r(3)]!;
        const t0 = performance.now();
        const js = jsInflate(m, inStep, outStep);
        expect(performance.now() - t0, `case ${i}: no hang`).toBeLessThan(2000);
        expectSameAsZlib(js, zlibInflate(m), `${name} case ${i} (in ${inStep}, out ${outStep})`);
        outcomes.set(js.error ?? 'ok', (outcomes.get(js.error ?? 'ok') ?? 0) + 1);
      }
      // The mutations reach more than one kind of failure (and some streams stay valid).
      expect(outcomes.size, JSON.stringify([...outcomes])).toBeGreaterThan(2);
    });
  }
});
