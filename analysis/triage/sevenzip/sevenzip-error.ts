/**
 * The one error the 7-Zip reader throws internally (header parsing, coders). It never leaves the
 * reader: the archive and member layers catch it and turn it into a finding, by `kind`.
 */
export type SevenZipErrorKind =
  /** A structure that contradicts 7zFormat.txt, or a stream the coder rejects. */
  | 'malformed'
  /** A structure or stream that ends before it should. */
  | 'truncated'
  /** A count, size, ratio or window beyond the analysis bound. */
  | 'limit'
  /** A coder this reader does not decode. */
  | 'unsupported'
  /** 7zAES: nothing to decode without the password. */
  | 'encrypted';

export class SevenZipError extends Error {
  readonly kind: SevenZipErrorKind;
  constructor(kind: SevenZipErrorKind, message: string) {
    super(message);
    this.name = 'SevenZipError';
    this.kind = kind;
  }
}

export function sevenZipErrorKind(e: unknown): SevenZipErrorKind {
  return e instanceof SevenZipError ? e.kind : 'malformed';
}

export function sevenZipErrorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
