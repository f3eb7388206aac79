/** The value of the ASCII hex digit with char code `c` (0–9, A–F, a–f), or -1 for any other. */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}
