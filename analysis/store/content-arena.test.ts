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

  it('keeps a region where place() put it when fewer bytes are written than asked for (it cannot be overwritten while live)', () => {
    // The stage window asks for a bound (3 bytes per UTF-16 unit of attrs) and writes fewer. Asked
    // for 50 at offset 60 of 100, the region goes to the ring's start; 30 bytes written would have
    // fitted at 60, but they are at 0, and the next region must not be placed over them.
    const a = new ContentArena(100, 8);
    a.free(a.commit((a.place(60), 60)));
    expect(a.place(50)).toBe(0);
    a.buf.fill(1, 0, 30);
    const live = a.commit(30);
    expect(a.place(20)).toBe(30); // after the live bytes, not over them
    a.free(live);
  });

  it('refuses a commit without a place, or of more than was placed', () => {
    const a = new ContentArena(100, 8);
    expect(() => a.commit(10)).toThrow(/without a place/);
    a.place(10);
    expect(() => a.commit(11)).toThrow(/without a place/);
  });
});
