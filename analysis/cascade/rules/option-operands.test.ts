/** option-operands.ts: operands by position, and where a command's leading options end. */
import { describe, expect, it } from 'vitest';
import { leadingOptionsEnd, optionOperands } from './option-operands.js';

describe('leadingOptionsEnd', () => {
  const valueOf = (w: string): number => (w === '-v' || w === '--name' ? 1 : 0);

  it('returns the first operand, past options and the values they take', () => {
    expect(leadingOptionsEnd(['t', '-a', '-v', 'x', 'op', '-b'], 1, valueOf)).toBe(4);
    expect(leadingOptionsEnd(['t', '--name', '-v', 'op'], 1, valueOf)).toBe(3);
    expect(leadingOptionsEnd(['t', '-', 'x'], 1, valueOf)).toBe(1);
  });

  it('ends the options at --, past the last word, and stops where the option says', () => {
    expect(leadingOptionsEnd(['t', '-a', '--', '-v'], 1, valueOf)).toBe(3);
    expect(leadingOptionsEnd(['t', '-a', '-v'], 1, valueOf)).toBe(3);
    expect(leadingOptionsEnd(['t', '-a', '-N', 'h'], 1, (w) => (w === '-N' ? -1 : 0))).toBe(-1);
  });
});

describe('optionOperands', () => {
  it('keeps the words that are neither options nor their values, and all after --', () => {
    expect(optionOperands(['cp', '-v', 'x', 'a', '-r', 'b', '--', '-c'], (w) => w === '-v')).toEqual(['a', 'b', '-c']);
  });
});
