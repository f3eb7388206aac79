/**
 * The LLM judge's settings in the workbench (issue 3: "model configurable (flag, env, settings),
 * key from ANTHROPIC_API_KEY or the app's settings"). Saved values win over the environment, which
 * wins over the default — the precedence `resolveJudgeSettings` gives an option over the
 * environment. The key is written, never read back through the contract: the UI learns only where
 * it comes from.
 *
 * The desktop app keeps the settings in its userData folder with the key sealed by Electron's
 * safeStorage (the OS keychain); `mlshield serve` in the user's config folder, key in the clear in a
 * file only its owner can read (mode 0600), as CLI credential files are kept.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JudgeSettingsView } from '../../contract/types.js';
import { DEFAULT_JUDGE_MODEL, firstSetting, JUDGE_ENV } from '../cascade/judge/judge.js';

/** Seals a secret for the settings file; `encrypted` false: stored as it is. */
export interface SecretCodec {
  readonly encrypted: boolean;
  seal(plain: string): string;
  /** The secret, or null when it cannot be opened (sealed by another user or machine). */
  open(sealed: string): string | null;
}

export const PLAIN_SECRETS: SecretCodec = { encrypted: false, seal: (s) => s, open: (s) => s };

export interface SavedJudgeSettings {
  model: string | null;
  apiKey: string | null;
}

/** `undefined`: leave as saved; null: forget. */
export interface JudgeSettingsPatch {
  model?: string | null;
  apiKey?: string | null;
}

/** Where a store keeps a saved key (JudgeSettingsView.keyKept). */
export type KeyKeeping = 'keychain' | 'file' | 'memory';

export interface JudgeSettingsStore {
  readonly keeping: KeyKeeping;
  get(): SavedJudgeSettings;
  set(patch: JudgeSettingsPatch): SavedJudgeSettings;
}

function patched(cur: SavedJudgeSettings, patch: JudgeSettingsPatch): SavedJudgeSettings {
  return {
    model: patch.model === undefined ? cur.model : patch.model,
    apiKey: patch.apiKey === undefined ? cur.apiKey : patch.apiKey,
  };
}

/** Settings for this process only (tests; a server started without a settings file). */
export function memoryJudgeSettings(initial: SavedJudgeSettings = { model: null, apiKey: null }): JudgeSettingsStore {
  let cur = { ...initial };
  return {
    keeping: 'memory',
    get: () => ({ ...cur }),
    set(patch) {
      cur = patched(cur, patch);
      return { ...cur };
    },
  };
}

/** The settings file's shape (other sections may join `judge` later). */
interface SettingsFile {
  judge?: { model?: unknown; apiKey?: { sealed?: unknown; encrypted?: unknown } };
}

/** Largest settings file read: it holds a model id and one key. */
const MAX_SETTINGS_BYTES = 64 << 10;

/**
 * Settings in a JSON file written whole (a temporary file renamed over it) with mode 0600. An
 * unreadable or malformed file reads as no settings; the next save replaces it.
 */
export function fileJudgeSettings(path: string, codec: SecretCodec = PLAIN_SECRETS): JudgeSettingsStore {
  const read = (): SavedJudgeSettings => {
    let doc: SettingsFile;
    try {
      const text = readFileSync(path, 'utf8');
      if (text.length > MAX_SETTINGS_BYTES) return { model: null, apiKey: null };
      doc = JSON.parse(text) as SettingsFile;
    } catch {
      return { model: null, apiKey: null };
    }
    const j = doc !== null && typeof doc === 'object' ? doc.judge : undefined;
    const model = typeof j?.model === 'string' && j.model !== '' ? j.model : null;
    const k = j?.apiKey;
    // A key sealed where this process cannot open it (or sealed when this codec does not seal)
    // reads as no key: the analysis then reports Layer 3 "not run", as without any key.
    const apiKey = typeof k?.sealed === 'string' && k.encrypted === codec.encrypted ? codec.open(k.sealed) : null;
    return { model, apiKey };
  };
  return {
    get keeping(): KeyKeeping {
      return codec.encrypted ? 'keychain' : 'file';
    },
    get: read,
    set(patch) {
      const next = patched(read(), patch);
      const doc: SettingsFile = {
        judge: {
          ...(next.model !== null ? { model: next.model } : {}),
          ...(next.apiKey !== null ? { apiKey: { sealed: codec.seal(next.apiKey), encrypted: codec.encrypted } } : {}),
        },
      };
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
      renameSync(tmp, path);
      return next;
    },
  };
}

/** Where the judge's model and key come from, as the contract shows it (never the key). */
export function judgeSettingsView(saved: SavedJudgeSettings, keeping: KeyKeeping, env: Readonly<Record<string, string | undefined>> = process.env): JudgeSettingsView {
  // The environment read as the judge reads it (resolveJudgeSettings), so the view cannot disagree.
  const envModel = firstSetting(env[JUDGE_ENV.model]);
  return {
    model: saved.model ?? envModel ?? DEFAULT_JUDGE_MODEL,
    modelFrom: saved.model !== null ? 'settings' : envModel !== null ? 'environment' : 'default',
    keyFrom: saved.apiKey !== null ? 'settings' : firstSetting(env[JUDGE_ENV.apiKey]) !== null ? 'environment' : 'none',
    keyKept: saved.apiKey !== null ? keeping : null,
  };
}
