/**
 * The desktop app's SecretCodec (analysis/service/judge-settings.ts) over Electron's safeStorage:
 * the judge's API key is sealed by the OS keychain (Keychain, DPAPI, libsecret/kwallet) before it
 * reaches the settings file. Where safeStorage has no real backend — not available yet, or Linux's
 * `basic_text` fallback, whose password is hard-coded — the key is stored as it is (the file is
 * mode 0600) and the settings say so (`keyKept` 'file') rather than pretending.
 * Read lazily: safeStorage answers only once the app is ready, and the service exists before.
 */
import type { SecretCodec } from '../../analysis/service/judge-settings.js';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?: () => string;
}

export function safeStorageCodec(ss: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCodec {
  const real = (): boolean => {
    try {
      if (!ss.isEncryptionAvailable()) return false;
      return !(platform === 'linux' && ss.getSelectedStorageBackend?.() === 'basic_text');
    } catch {
      return false;
    }
  };
  return {
    get encrypted() {
      return real();
    },
    seal: (plain) => (real() ? ss.encryptString(plain).toString('base64') : plain),
    open(sealed) {
      if (!real()) return sealed;
      try {
        return ss.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        return null; // sealed by another user or machine: no key
      }
    },
  };
}
