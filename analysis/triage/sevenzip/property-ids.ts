/**
 * Property ids of the 7z header (7-Zip's DOC/7zFormat.txt, "Property IDs"). Each structure of the
 * header starts with one of these bytes; the ones a reader does not know carry a size and are skipped.
 */
export const NID = {
  kEnd: 0x00,
  kHeader: 0x01,
  kArchiveProperties: 0x02,
  kAdditionalStreamsInfo: 0x03,
  kMainStreamsInfo: 0x04,
  kFilesInfo: 0x05,
  kPackInfo: 0x06,
  kUnpackInfo: 0x07,
  kSubStreamsInfo: 0x08,
  kSize: 0x09,
  kCRC: 0x0a,
  kFolder: 0x0b,
  kCodersUnpackSize: 0x0c,
  kNumUnpackStream: 0x0d,
  kEmptyStream: 0x0e,
  kEmptyFile: 0x0f,
  kAnti: 0x10,
  kName: 0x11,
  kCTime: 0x12,
  kATime: 0x13,
  kMTime: 0x14,
  kWinAttributes: 0x15,
  kComment: 0x16,
  kEncodedHeader: 0x17,
  kStartPos: 0x18,
  kDummy: 0x19,
} as const;

/** The 6-byte signature every 7z archive starts with ('7z' BC AF 27 1C). */
export const SIGNATURE = Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c);
/** The signature header: signature, version, start-header CRC and the 20-byte start header. */
export const SIGNATURE_HEADER_BYTES = 32;
