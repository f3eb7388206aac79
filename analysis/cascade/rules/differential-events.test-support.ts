/**
 * Test-only: the event stream and the golden-file format of the Layer-1 differential test
 * (engine-differential.test.ts). The stream is the bundled sample incident, ingested for real into
 * a temporary case, with a seeded set of hostile variants interleaved: values upper-cased or given
 * non-ASCII letters that lower-case to ASCII (Kelvin sign, dotted capital I), scalars turned into
 * arrays, numbers or null, fields removed, very long strings. The golden file records, for every
 * event, each hit's (ruleId, decision, severity, family, phase) and a digest of its title, ATT&CK
 * and ATLAS ids and reason text, so any change to what Layer 1 decides or says shows up.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CaseStore } from '../../store/case-store.js';
import { ingestBundle } from '../../ingest/pipeline.js';
import { openBundleRoot } from '../../ingest/archive/fs-root.js';
import { caseEvents } from '../case-events.js';
import type { EventRecord } from '../../core/records.js';
import type { RuleHit } from './compiled-rule.js';
import { auditEvent, auditObjectsOf, FIXTURES_DIR } from './fixtures.test-support.js';
import { mulberry32 } from '../../core/mulberry32.js';

export const SAMPLE_BUNDLE = resolve(import.meta.dirname, '../../../samples/weight-exfil-seed1/bundle');

const prng = mulberry32;

type Holder = Record<string, unknown> | unknown[];
interface Leaf {
  holder: Holder;
  key: string | number;
  /** EventRecord's own fields stay strings (or null where the type allows it): readers guarantee that. */
  typed?: 'string' | 'nullable';
}

/** Every (container, key) pair down to depth 6: top-level fields and everything under attrs. */
function leavesOf(e: EventRecord): Leaf[] {
  const out: Leaf[] = [];
  for (const k of ['actor', 'action', 'resource', 'namespace', 'job', 'outcome']) out.push({ holder: e as unknown as Holder, key: k, typed: k === 'action' ? 'string' : 'nullable' });
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ holder: v, key: i });
        walk(x, depth + 1);
      });
      return;
    }
    for (const k of Object.keys(v)) {
      out.push({ holder: v as Record<string, unknown>, key: k });
      walk((v as Record<string, unknown>)[k], depth + 1);
    }
  };
  walk(e.attrs, 0);
  return out;
}

const NON_ASCII: Array<[RegExp, string]> = [
  [/k/g, '\u212a'], // KELVIN SIGN: lower-cases to ASCII 'k'
  [/i/, '\u0130'], // LATIN CAPITAL I WITH DOT ABOVE: lower-cases to two code units
  [/s/, '\u017f'], // LATIN SMALL LONG S
  [/e/, '\u00c9'],
];

function mutateString(s: string, r: () => number): unknown {
  switch (Math.floor(r() * 10)) {
    case 9: return `${s}"\\\n\ud800\ud83d\ude00\u2028`; // what JSON.stringify must escape in reasons
    case 0: return s.toUpperCase();
    case 1: {
      const i = Math.floor(r() * Math.max(1, s.length));
      return s.slice(0, i) + s.charAt(i).toUpperCase() + s.slice(i + 1);
    }
    case 2: {
      const [re, by] = NON_ASCII[Math.floor(r() * NON_ASCII.length)]!;
      return s.replace(re, by);
    }
    case 3: return [s, 'x'];
    case 4: return ['x', [s]];
    case 5: return s + 'A'.repeat(5000);
    case 6: return /^\d+$/.test(s) ? Number(s) : `${s} `;
    case 7: return null;
    default: return { v: s };
  }
}

function mutate(leaf: Leaf, r: () => number): void {
  const h = leaf.holder as Record<string | number, unknown>;
  const v = h[leaf.key];
  if (leaf.typed) {
    if (typeof v !== 'string') return;
    const m = mutateString(v, r);
    h[leaf.key] = typeof m === 'string' || (m === null && leaf.typed === 'nullable') ? m : v.toUpperCase();
    return;
  }
  if (typeof v === 'string') h[leaf.key] = mutateString(v, r);
  else if (typeof v === 'number') h[leaf.key] = r() < 0.5 ? String(v) : -v;
  else if (typeof v === 'boolean') h[leaf.key] = String(v).toUpperCase();
  else if (!Array.isArray(h)) delete h[leaf.key];
}

/** The Falco and audit2rbac audit traces of fixtures/k8s-audit (privileged pods, host mounts, RBAC…). */
function fixtureAuditEvents(): EventRecord[] {
  const dir = join(FIXTURES_DIR, 'k8s-audit');
  const out: EventRecord[] = [];
  for (const f of readdirSync(dir).sort()) {
    auditObjectsOf(readFileSync(join(dir, f), 'utf8')).forEach((o, i) => out.push(auditEvent(o, i + 1, i % 2 ? 'fixture-job' : null)));
  }
  return out;
}

/**
 * The sample's events in time order, then the fixture audit traces (older timestamps: out of order
 * on purpose), each followed at random by a mutated copy at the same time.
 */
export async function differentialEvents(seed = 7): Promise<EventRecord[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-l1diff-'));
  const store = CaseStore.open(join(dir, 'case.sqlite'));
  let base: EventRecord[];
  try {
    await ingestBundle(await openBundleRoot(SAMPLE_BUNDLE), store);
    base = [...caseEvents(store.db)].map(({ id: _id, sourceId: _s, raw: _r, ...e }) => e);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const r = prng(seed);
  const out: EventRecord[] = [];
  for (const e of [...base, ...fixtureAuditEvents()]) {
    out.push(e);
    if (r() < 0.6) continue;
    const v = structuredClone(e);
    const leaves = leavesOf(v);
    const n = 1 + Math.floor(r() * 3);
    for (let k = 0; k < n && leaves.length; k++) mutate(leaves[Math.floor(r() * leaves.length)]!, r);
    out.push(v);
  }
  return out;
}

/** A digest of the input, so a golden file made from other events is reported as such. */
export function eventsDigest(events: readonly EventRecord[]): string {
  const h = createHash('sha256');
  for (const e of events) h.update(JSON.stringify(e)).update('\n');
  return h.digest('hex').slice(0, 32);
}

/** One golden line: `index<TAB>ruleId|decision|severity|family|phase;…<TAB>digest`, or null without hits. */
export function goldenLine(index: number, hits: readonly RuleHit[]): string | null {
  if (hits.length === 0) return null;
  const h = createHash('sha256');
  for (const x of hits) h.update(JSON.stringify([x.title, x.attack, x.atlas, x.reason]));
  return `${index}\t${hits.map((x) => `${x.ruleId}|${x.decision}|${x.severity}|${x.family}|${x.phase ?? '-'}`).join(';')}\t${h.digest('hex').slice(0, 16)}`;
}
