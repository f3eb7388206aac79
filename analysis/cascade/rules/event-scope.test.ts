import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { attrOf, attrSlot, derivedOf, derivedSlot, enterEvent, leaveEvent } from './event-scope.js';
import { appEvent, T0 } from './fixtures.test-support.js';

const PATH = attrSlot('path');
const TO_STRING = attrSlot('toString');
const DERIVED = derivedSlot();

describe('event scope', () => {
  it('reads in a scope what a direct read gives, event by event', () => {
    const inherited = Object.create({ path: '/inherited' }) as Record<string, unknown>;
    const events: EventRecord[] = [
      appEvent(T0, 'a', {}, { path: '/a' }),
      appEvent(T0, 'b', {}, {}),
      appEvent(T0, 'c', {}, inherited),
      appEvent(T0, 'd', {}, { path: () => 1 }),
      appEvent(T0, 'e', {}, ['x'] as unknown as Record<string, unknown>),
    ];
    const want = [['/a', undefined], [undefined, undefined], ['/inherited', undefined], [undefined, undefined], [undefined, undefined]];
    events.forEach((e, i) => {
      expect([attrOf(e, PATH, 'path'), attrOf(e, TO_STRING, 'toString')]).toEqual(want[i]);
      enterEvent(e);
      // Twice: the second read comes from the slot.
      for (let k = 0; k < 2; k++) expect([attrOf(e, PATH, 'path'), attrOf(e, TO_STRING, 'toString')]).toEqual(want[i]);
      // Another event read during the scope is read directly.
      expect(attrOf(events[0]!, PATH, 'path')).toBe('/a');
      leaveEvent();
    });
    expect(attrOf(events[1]!, PATH, 'path')).toBeUndefined();
  });

  it('derives a value once per scope, and directly outside one', () => {
    let calls = 0;
    const compute = (e: EventRecord): string => (calls++, e.action);
    const e = appEvent(T0, 'x');
    expect(derivedOf(e, DERIVED, compute)).toBe('x');
    expect(calls).toBe(1);
    enterEvent(e);
    expect(derivedOf(e, DERIVED, compute)).toBe('x');
    expect(derivedOf(e, DERIVED, compute)).toBe('x');
    expect(calls).toBe(2);
    leaveEvent();
    const f = appEvent(T0, 'y');
    enterEvent(f);
    expect(derivedOf(f, DERIVED, compute)).toBe('y');
    leaveEvent();
    expect(calls).toBe(3);
  });
});
