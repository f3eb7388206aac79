import { describe, expect, it } from 'vitest';
import { MAX_LINES } from './exec-command-lines.js';
import { findListing, listedFiles } from './exec-listed-files.js';

describe('listedFiles: what a command lists for another to read', () => {
  it('gives find its roots joined to its name tests, its path tests as they are, or every file below each root', () => {
    expect(listedFiles(['find', '/mnt/ckpt/', '-name', '*.pt', '-o', '-name', '*.bin'])).toEqual(['/mnt/ckpt/*.pt', '/mnt/ckpt/*.bin']);
    expect(listedFiles(['find', '-H', '-D', 'tree', '-O3', '/a', '/b', '-type', 'f'])).toEqual(['/a/*', '/b/*']);
    expect(listedFiles(['find', '-name', 'model.safetensors'])).toEqual(['./model.safetensors']);
    expect(listedFiles(['/usr/bin/find', '/', '(', '-ipath', '*/ckpt/*', ')'])).toEqual(['*/ckpt/*']);
  });

  it('stops find at the action that runs a command', () => {
    const words = ['find', '/mnt/ckpt', '-name', '*.pt', '-exec', 'cat', '{}', '-name', 'x', '+'];
    expect(findListing(words, 0, 4)).toEqual(['/mnt/ckpt/*.pt']);
  });

  it('gives ls, echo and printf their arguments, and knows nothing of other listers', () => {
    expect(listedFiles(['ls', '-1', '/mnt/ckpt/*.pt'])).toEqual(['/mnt/ckpt/*.pt']);
    expect(listedFiles(['echo', '-n', 'a.pt', 'b.pt'])).toEqual(['a.pt', 'b.pt']);
    expect(listedFiles(['printf', '%s\\n', 'a.pt'])).toEqual(['a.pt']);
    expect(listedFiles(['ls', '-la'])).toBeNull();
    expect(listedFiles(['cat', 'list.txt'])).toBeNull();
    expect(listedFiles([])).toBeNull();
  });

  it('is bounded whatever the words hold', () => {
    const roots = Array.from({ length: 5000 }, (_, i) => `/r${i}`);
    expect(listedFiles(['find', ...roots, '-name', '*.pt'])!.length).toBe(MAX_LINES);
    expect(listedFiles(['echo', ...roots])!.length).toBe(MAX_LINES);
  });
});
