import { describe, expect, it } from 'vitest';
import { dmonFieldName, isSpecialFloatLiteral, parseDcgmValue } from './dcgm-fields.js';

describe('parseDcgmValue', () => {
  it('reads decimal numbers as dcgm-exporter prints them', () => {
    expect(parseDcgmValue('8.969000')).toBe(8.969);
    expect(parseDcgmValue('-3')).toBe(-3);
    expect(parseDcgmValue('+1.5e3')).toBe(1500);
    expect(parseDcgmValue('.5')).toBe(0.5);
    expect(parseDcgmValue('5.')).toBe(5);
    expect(parseDcgmValue('0.000003')).toBe(0.000003);
  });

  it('rejects what is not a decimal number', () => {
    for (const t of ['', '-', '.', 'e5', '1e', '0x10', '1_000', ' 1', '1 ', 'abc', '12abc', 'Infinityy', '1e400']) {
      expect(parseDcgmValue(t), t).toBeUndefined();
    }
  });

  it('maps every DCGM blank sentinel to null, on the literal for int64', () => {
    for (const t of [
      '9223372036854775792',
      '9223372036854775793',
      '9223372036854775794',
      '9223372036854775795',
      '9223372036854775807',
      '09223372036854775792',
      '99999999999999999999',
      '9223372036854775792.000000',
      '2147483632',
      '2147483635',
      '140737488355328',
      '140737488355328.000000',
      '140737488355331.0',
    ]) {
      expect(parseDcgmValue(t), t).toBeNull();
    }
    for (const t of ['9223372036854775791', '-9223372036854775792', '2147483631', '2147483636', '140737488355327', '140737488355332', '2147483632.5']) {
      expect(parseDcgmValue(t), t).not.toBeNull();
    }
  });

  it('maps NaN and infinities to null and recognises their literals', () => {
    for (const t of ['NaN', 'nan', '+Inf', '-Inf', 'Inf', 'inf', '+Infinity', '-infinity']) {
      expect(parseDcgmValue(t), t).toBeNull();
      expect(isSpecialFloatLiteral(t), t).toBe(true);
    }
    expect(isSpecialFloatLiteral('9223372036854775792')).toBe(false);
    expect(isSpecialFloatLiteral('+NaN')).toBe(false);
  });
});

describe('dmonFieldName', () => {
  it('maps dmon short names to DCGM field names', () => {
    expect(dmonFieldName('GPUTL')).toBe('DCGM_FI_DEV_GPU_UTIL');
    expect(dmonFieldName('ECUTL')).toBe('DCGM_FI_DEV_ENC_UTIL');
    expect(dmonFieldName('NVLRX')).toBe('DCGM_FI_PROF_NVLINK_RX_BYTES');
    expect(dmonFieldName('fp16a')).toBe('DCGM_FI_PROF_PIPE_FP16_ACTIVE');
    expect(dmonFieldName('ABCDE')).toBe('DMON_ABCDE');
  });
});
