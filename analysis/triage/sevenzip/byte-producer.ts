/**
 * What each coder of a folder is to the next: a pull source of decoded bytes. One interface for
 * Copy, LZMA, LZMA2 and the filters lets a folder's coder chain be wired from its bind pairs and
 * read member by member, holding only the dictionary window, never the whole folder.
 */
export interface ByteProducer {
  /**
   * The next bytes, at most `max` (> 0); an empty array once the stream is done. The view is
   * valid until the next call (it may be a window the decoder reuses). Throws SevenZipError on a
   * bad stream, after first returning what was decoded before the fault.
   */
  read(max: number): Uint8Array;
}

export const NO_BYTES = new Uint8Array(0);

/** The Copy coder (id 00): the packed bytes are the output. */
export function copyProducer(input: Uint8Array, outSize: number): ByteProducer {
  let pos = 0;
  const end = Math.min(input.length, outSize);
  return {
    read(max) {
      if (pos >= end) return NO_BYTES;
      const n = Math.min(max, end - pos);
      pos += n;
      return input.subarray(pos - n, pos);
    },
  };
}
