/**
 * The LLM judge's settings (issue 3: model and API key from the app's settings): which model the
 * next analysis asks and where its key comes from. The key is typed here and sent once; the
 * engine never sends it back, so the panel shows only where it comes from.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { JudgeSettingsView } from '../../../../contract/index.js';
import { useApp } from '../state/store-context.js';

const KEPT: Record<NonNullable<JudgeSettingsView['keyKept']>, string> = {
  keychain: ', encrypted by the system keychain',
  file: ', in a file only you can read (no system keychain to encrypt it)',
  memory: ' until the workbench server stops (start it with --settings <file> to keep it)',
};

export function judgeKeyLine(v: JudgeSettingsView): string {
  switch (v.keyFrom) {
    case 'settings':
      return `API key: saved in the app's settings${KEPT[v.keyKept ?? 'memory']}.`;
    case 'environment':
      return 'API key: from ANTHROPIC_API_KEY where the workbench runs.';
    default:
      return 'API key: none — Layer 3 does not run, and its events stay open for you.';
  }
}

export function judgeModelLine(v: JudgeSettingsView): string {
  const from = v.modelFrom === 'settings' ? "the app's settings" : v.modelFrom === 'environment' ? 'MLSHIELD_JUDGE_MODEL' : 'the default';
  return `Model: ${v.model} (${from}).`;
}

export function JudgeSettingsPanel() {
  const transport = useApp((s) => s.transport);
  const [view, setView] = useState<JudgeSettingsView | null>(null);
  const [model, setModel] = useState('');
  const [key, setKey] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    transport.call('settings.judge.get', {}).then(
      (v) => live && (setView(v), setError(null)),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [transport]);

  const save = async (patch: { model?: string | null; apiKey?: string | null }, done: string): Promise<void> => {
    try {
      setView(await transport.call('settings.judge.set', patch));
      setKey('');
      if (patch.model !== undefined) setModel('');
      setError(null);
      setNote(done);
    } catch (err) {
      setNote(null);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const patch = { ...(model.trim() ? { model: model.trim() } : {}), ...(key.trim() ? { apiKey: key.trim() } : {}) };
    void save(patch, 'Saved. The next analysis uses it (Run analysis again to judge the waiting events).');
  };

  return (
    <section className="panel judge-settings" data-testid="judge-settings">
      <h3>Judge settings</h3>
      {view ? (
        <p className="small" data-testid="judge-settings-line">
          {judgeModelLine(view)} {judgeKeyLine(view)}
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      {note ? <p className="muted small" data-testid="judge-settings-note">{note}</p> : null}
      <form className="toolbar" onSubmit={submit}>
        <label>
          Model
          <input value={model} onChange={(e) => setModel(e.target.value)} placeholder={view?.model ?? ''} maxLength={128} spellCheck={false} />
        </label>
        <label>
          API key
          <input type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" maxLength={512} spellCheck={false} />
        </label>
        <button type="submit" disabled={!model.trim() && !key.trim()}>Save</button>
        <button type="button" onClick={() => void save({ apiKey: null }, 'The saved key is forgotten.')} disabled={view?.keyFrom !== 'settings'}>
          Forget saved key
        </button>
        <button type="button" onClick={() => void save({ model: null }, 'The saved model is forgotten.')} disabled={view?.modelFrom !== 'settings'}>
          Forget saved model
        </button>
      </form>
    </section>
  );
}
