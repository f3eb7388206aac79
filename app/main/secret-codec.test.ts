import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileJudgeSettings, judgeSettingsView } from '../../analysis/service/judge-settings.js';
import { safeStorageCodec, type SafeStorageLike } from './secret-codec.js';

/** A stand-in for Electron's safeStorage (no Electron here): XOR with a per-"machine" byte, base64 on top. */
function keychain(machine: number, opts: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const xor = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ machine));
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (s) => Buffer.concat([Buffer.from('v10'), xor(Buffer.from(s, 'utf8'))]),
    decryptString: (b) => {
      if (b.subarray(0, 3).toString() !== 'v10' || machine === 0) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return xor(b.subarray(3)).toString('utf8');
    },
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the desktop app keeps the judge key sealed by the OS keychain', () => {
  it('seals the key in the file (not in the clear), reads it back, and says it is encrypted', () => {
    const path = join(dir, 'settings.json');
    const store = fileJudgeSettings(path, safeStorageCodec(keychain(0x5a), 'linux'));
    store.set({ apiKey: 'sk-ant-test-0123456789', model: 'claude-test-1' });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('sk-ant-test-0123456789');
    expect(JSON.parse(text).judge.apiKey.encrypted).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.get()).toEqual({ model: 'claude-test-1', apiKey: 'sk-ant-test-0123456789' });
    expect(judgeSettingsView(store.get(), store.keeping, {})).toEqual({ model: 'claude-test-1', modelFrom: 'settings', keyFrom: 'settings', keyKept: 'keychain' });
  });

  it('a key sealed elsewhere (another machine or user) reads as no key, not as garbage', () => {
    const path = join(dir, 'settings.json');
    fileJudgeSettings(path, safeStorageCodec(keychain(0x5a), 'darwin')).set({ apiKey: 'sk-ant-test-0123456789' });
    const elsewhere = fileJudgeSettings(path, safeStorageCodec(keychain(0), 'darwin'));
    expect(elsewhere.get().apiKey).toBeNull();
    expect(judgeSettingsView(elsewhere.get(), elsewhere.keeping, { ANTHROPIC_API_KEY: 'from-env-key' }).keyFrom).toBe('environment');
  });

  it("Linux's basic_text backend (a hard-coded password) and an unavailable keychain store the key as is and say so", () => {
    for (const ss of [keychain(0x5a, { backend: 'basic_text' }), keychain(0x5a, { available: false })]) {
      const path = join(dir, `plain-${Math.random()}.json`);
      const store = fileJudgeSettings(path, safeStorageCodec(ss, 'linux'));
      store.set({ apiKey: 'sk-ant-test-0123456789' });
      expect(store.keeping).toBe('file');
      expect(JSON.parse(readFileSync(path, 'utf8')).judge.apiKey).toEqual({ sealed: 'sk-ant-test-0123456789', encrypted: false });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(judgeSettingsView(store.get(), store.keeping, {}).keyKept).toBe('file');
    }
  });

  it('a key saved in the clear is not offered to a codec that seals (and the reverse)', () => {
    const path = join(dir, 'settings.json');
    fileJudgeSettings(path, safeStorageCodec(keychain(0x5a, { available: false }), 'linux')).set({ apiKey: 'sk-ant-test-0123456789' });
    expect(fileJudgeSettings(path, safeStorageCodec(keychain(0x5a), 'linux')).get().apiKey).toBeNull();
  });
});
