import { describe, expect, it } from 'vitest';
import { ContentArena } from './content-arena.js';

describe('ContentArena', () => {
  it('hands out space in order and takes it back once every older region is free', () => {
    const a = new ContentArena(100, 8);
    const at0 = a.place(40);
    expect(at0).toBe(0);
    const r0 = a.commit(40);
    expect(a.place(40)).toBe(40);
    const r1 = a.commit(40);
    expect(a.place(40)).toBe(-1); // 20 bytes left at the end, and a region never wraps
    a.free(r1); // a younger region freed: still no room, the oldest holds the space before it
    expect(a.place(40)).toBe(-1);
    a.free(r0);
    expect(a.place(40)).toBe(0); // all free: 40 bytes do not fit after offset 80, so at the ring's start
  });

  it('skips the end of the ring rather than splitting a region', () => {
    const a = new ContentArena(100, 8);
    const r0 = a.commit((a.place(70), 70));
    a.free(r0);
    const at = a.place(50); // 30 bytes at the end are too few
    expect(at).toBe(0);
    a.commit(50);
    expect(a.place(30)).toBe(50);
    a.commit(30);
    expect(a.place(21)).toBe(-1);
    expect(a.place(20)).toBe(80);
  });

  it('refuses more regions than it tracks', () => {
    const a = new ContentArena(1000, 2);
    a.commit((a.place(1), 1));
    a.commit((a.place(1), 1));
    expect(a.place(1)).toBe(-1);
  });
});
