import { useApp } from '../state/store-context.js';

/** The last failure in plain words; dismissible; announced to screen readers. */
export function ErrorBanner() {
  const error = useApp((s) => s.error);
  const clear = useApp((s) => s.clearError);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      <span>{error}</span>
      <button type="button" onClick={clear} aria-label="Dismiss the message">
        ×
      </button>
    </div>
  );
}
