import { describe, expect, it } from 'vitest';
import { pathEscapeReason } from './path-escape.js';

describe('pathEscapeReason', () => {
  it('accepts paths that stay inside the folder', () => {
    for (const p of ['model.bin', 'weights/part-1.bin', './a.bin', 'a..b.bin', '..hidden', '']) expect(pathEscapeReason(p), p).toBeNull();
  });

  it('names why a path escapes', () => {
    expect(pathEscapeReason('/etc/passwd')).toBe('is absolute');
    expect(pathEscapeReason('\\\\server\\share\\x')).toBe('is absolute');
    expect(pathEscapeReason('C:/x')).toBe('names a drive');
    expect(pathEscapeReason('file:///etc/passwd')).toBe('is a URL');
    expect(pathEscapeReason('~/x')).toBe('starts at a home directory');
    expect(pathEscapeReason('a/../b')).toBe('has a .. component');
    expect(pathEscapeReason('a\\..\\..\\b')).toBe('has a .. component');
    expect(pathEscapeReason('x\u0000.bin')).toBe('contains a NUL byte');
  });
});
