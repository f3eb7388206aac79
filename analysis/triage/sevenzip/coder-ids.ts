/**
 * Coder (method) ids of 7z folders, as hex of their id bytes (7-Zip's DOC/Methods.txt). Only the
 * ones decoded here, plus names for the common others so a finding can say what it met.
 */
export const CODER = {
  copy: '00',
  delta: '03',
  /** x86 BCJ: 03030103 in 7z archives; 04 is its short id in newer 7-Zip. */
  bcjX86: '03030103',
  bcjX86Short: '04',
  lzma: '030101',
  lzma2: '21',
  aes256: '06f10701',
} as const;

const NAMES: Readonly<Record<string, string>> = {
  '00': 'Copy',
  '03': 'Delta',
  '03030103': 'BCJ',
  '04': 'BCJ',
  '0303011b': 'BCJ2',
  '03030205': 'PPC',
  '05': 'PPC',
  '03030401': 'IA64',
  '06': 'IA64',
  '03030501': 'ARM',
  '07': 'ARM',
  '03030701': 'ARMT',
  '08': 'ARMT',
  '03030805': 'SPARC',
  '09': 'SPARC',
  '0a': 'ARM64',
  '0b': 'RISCV',
  '030101': 'LZMA',
  '21': 'LZMA2',
  '030401': 'PPMD',
  '040108': 'Deflate',
  '040109': 'Deflate64',
  '040202': 'BZip2',
  '06f10701': '7zAES',
};

/** "LZMA2 (21)", or "unknown coder 04f71101" for ids not in Methods.txt's common set. */
export function coderLabel(id: string): string {
  const name = NAMES[id];
  return name === undefined ? `unknown coder ${id || '(empty id)'}` : `${name} (${id})`;
}

export function hexId(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
