/**
 * DCGM field knowledge shared by the DCGM readers: how a value literal becomes a sample value
 * (numbers, DCGM "blank" sentinels, Prometheus NaN/Inf literals), and the `dcgmi dmon` short
 * names (`dcgm_field_meta_t.valueFormat.shortName`, dcgmlib/src/dcgm_fields.cpp) mapped back to
 * the DCGM_FI_* names dcgm-exporter uses.
 */

/**
 * Parses a sample value literal. Returns the number, `null` for "no value" (a DCGM blank sentinel
 * or a NaN/Inf literal — see {@link isSpecialFloatLiteral} to tell them apart), or `undefined`
 * when the text is not a number at all.
 *
 * Accepted: decimal numbers with optional sign, fraction and exponent (Go `strconv.ParseFloat`
 * decimal syntax as written by dcgm-exporter and Prometheus), and NaN / Inf / Infinity in any case
 * with optional sign. Rejected: hex, underscores, empty text, surrounding spaces.
 */
export function parseDcgmValue(text: string): number | null | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 43 /* + */ || c === 45 /* - */) {
    if (n === 1) return undefined;
    i = 1;
    c = text.charCodeAt(1);
  }
  if (c > 57 || c < 46 || c === 47) {
    // Not a digit or '.': the only other valid literals are NaN / Inf / Infinity.
    return isSpecialFloatLiteral(text) ? null : undefined;
  }
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let digits = intEnd - intStart;
  let noExponent = true;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++;
    const fracStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    digits += i - fracStart;
  }
  if (digits === 0) return undefined;
  if (i < n && (text.charCodeAt(i) | 32) === 101 /* e */) {
    noExponent = false;
    i++;
    if (i < n && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    const expStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart) return undefined;
  }
  if (i !== n) return undefined;
  // DCGM_INT64_BLANK and its NOT_FOUND/NOT_SUPPORTED/NOT_PERMISSIONED neighbours are 2^63-16..-13;
  // they do not survive conversion to double, so they are recognised on the literal's integer part.
  if (noExponent && intEnd - intStart >= 19 && text.charCodeAt(0) !== 45 && isInt64BlankDigits(text, intStart, intEnd)) {
    return null;
  }
  const v = Number(text);
  // A finite literal that overflows a double is out of range (Go's ParseFloat fails with ErrRange).
  if (!Number.isFinite(v)) return undefined;
  if (isDcgmBlankNumber(v)) return null;
  return v;
}

/** `NaN`, `Inf`, `+Inf`, `-Inf`, `Infinity` (any case), the non-finite literals Go's ParseFloat accepts. */
export function isSpecialFloatLiteral(text: string): boolean {
  if (text.length > 9) return false;
  let t = text.toLowerCase();
  if (t.charCodeAt(0) === 43 || t.charCodeAt(0) === 45) {
    t = t.slice(1);
    return t === 'inf' || t === 'infinity';
  }
  return t === 'nan' || t === 'inf' || t === 'infinity';
}

/** DCGM_INT64_BLANK = 0x7ffffffffffffff0 = 9223372036854775792; anything at or above it is a blank. */
const INT64_BLANK_DIGITS = '9223372036854775792';

function isInt64BlankDigits(text: string, start: number, end: number): boolean {
  while (start < end - 1 && text.charCodeAt(start) === 48 /* 0 */) start++;
  const len = end - start;
  if (len !== INT64_BLANK_DIGITS.length) return len > INT64_BLANK_DIGITS.length;
  return text.slice(start, end) >= INT64_BLANK_DIGITS;
}

/** DCGM_INT32_BLANK 0x7ffffff0 and its three neighbours (dcgm_structs.h). */
const INT32_BLANK_MIN = 2147483632;
const INT32_BLANK_MAX = 2147483635;
/** DCGM_FP64_BLANK 140737488355328.0 (2^47) and its three neighbours (dcgm_structs.h). */
const FP64_BLANK_MIN = 140737488355328;
const FP64_BLANK_MAX = 140737488355331;

/** Whether an already-converted number is one of the DCGM int32 or fp64 blank sentinels. */
export function isDcgmBlankNumber(v: number): boolean {
  if (v >= INT32_BLANK_MIN && v <= INT32_BLANK_MAX) return Number.isInteger(v);
  if (v >= FP64_BLANK_MIN && v <= FP64_BLANK_MAX) return Number.isInteger(v);
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * `dcgmi dmon` column short names → DCGM field names. Short names are the `shortName` of each
 * field's output format in DCGM's field table; ENCUT/DECUT are accepted as aliases of the real
 * ECUTL/DCUTL because they appear in hand-written docs and scripts.
 */
export const DMON_FIELD_NAMES: ReadonlyMap<string, string> = new Map([
  ['GPUTL', 'DCGM_FI_DEV_GPU_UTIL'],
  ['MCUTL', 'DCGM_FI_DEV_MEM_COPY_UTIL'],
  ['ECUTL', 'DCGM_FI_DEV_ENC_UTIL'],
  ['DCUTL', 'DCGM_FI_DEV_DEC_UTIL'],
  ['ENCUT', 'DCGM_FI_DEV_ENC_UTIL'],
  ['DECUT', 'DCGM_FI_DEV_DEC_UTIL'],
  ['FBTTL', 'DCGM_FI_DEV_FB_TOTAL'],
  ['FBUSD', 'DCGM_FI_DEV_FB_USED'],
  ['FBFRE', 'DCGM_FI_DEV_FB_FREE'],
  ['POWER', 'DCGM_FI_DEV_POWER_USAGE'],
  ['PMLMT', 'DCGM_FI_DEV_POWER_MGMT_LIMIT'],
  ['EPLMT', 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT'],
  ['TOTEC', 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION'],
  ['TMPTR', 'DCGM_FI_DEV_GPU_TEMP'],
  ['MMTMP', 'DCGM_FI_DEV_MEMORY_TEMP'],
  ['SDTMP', 'DCGM_FI_DEV_SLOWDOWN_TEMP'],
  ['SHTMP', 'DCGM_FI_DEV_SHUTDOWN_TEMP'],
  ['SMCLK', 'DCGM_FI_DEV_SM_CLOCK'],
  ['MMCLK', 'DCGM_FI_DEV_MEM_CLOCK'],
  ['VICLK', 'DCGM_FI_DEV_VIDEO_CLOCK'],
  ['PSTAT', 'DCGM_FI_DEV_PSTATE'],
  ['FANSP', 'DCGM_FI_DEV_FAN_SPEED'],
  ['XIDER', 'DCGM_FI_DEV_XID_ERRORS'],
  ['PVIOL', 'DCGM_FI_DEV_POWER_VIOLATION'],
  ['TVIOL', 'DCGM_FI_DEV_THERMAL_VIOLATION'],
  ['RPCTR', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER'],
  ['TXTPT', 'DCGM_FI_DEV_PCIE_TX_THROUGHPUT'],
  ['RXTPT', 'DCGM_FI_DEV_PCIE_RX_THROUGHPUT'],
  ['DVCCTR', 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS'],
  ['GRACT', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE'],
  ['SMACT', 'DCGM_FI_PROF_SM_ACTIVE'],
  ['SMOCC', 'DCGM_FI_PROF_SM_OCCUPANCY'],
  ['TENSO', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE'],
  ['DRAMA', 'DCGM_FI_PROF_DRAM_ACTIVE'],
  ['FP64A', 'DCGM_FI_PROF_PIPE_FP64_ACTIVE'],
  ['FP32A', 'DCGM_FI_PROF_PIPE_FP32_ACTIVE'],
  ['FP16A', 'DCGM_FI_PROF_PIPE_FP16_ACTIVE'],
  ['TIMMA', 'DCGM_FI_PROF_PIPE_TENSOR_IMMA_ACTIVE'],
  ['THMMA', 'DCGM_FI_PROF_PIPE_TENSOR_HMMA_ACTIVE'],
  ['TDFMA', 'DCGM_FI_PROF_PIPE_TENSOR_DFMA_ACTIVE'],
  ['INTAC', 'DCGM_FI_PROF_PIPE_INT_ACTIVE'],
  ['PCITX', 'DCGM_FI_PROF_PCIE_TX_BYTES'],
  ['PCIRX', 'DCGM_FI_PROF_PCIE_RX_BYTES'],
  ['NVLTX', 'DCGM_FI_PROF_NVLINK_TX_BYTES'],
  ['NVLRX', 'DCGM_FI_PROF_NVLINK_RX_BYTES'],
]);

/** The DCGM field name for a dmon column; unknown short names become `DMON_<NAME>`. */
export function dmonFieldName(shortName: string): string {
  return DMON_FIELD_NAMES.get(shortName) ?? DMON_FIELD_NAMES.get(shortName.toUpperCase()) ?? `DMON_${shortName}`;
}
