/** The shell of the renderer: navigation, theme and time-zone toggles, and the current view. */
import { useEffect, type KeyboardEvent } from 'react';
import { useApp } from './state/store-context.js';
import { VIEWS, type ViewName } from './state/app-store.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { saveTheme } from './theme-preference.js';
import { StartView } from './views/StartView.js';
import { OverviewView } from './views/OverviewView.js';
import { TimelineView } from './views/TimelineView.js';
import { EventsView } from './views/EventsView.js';
import { CheckpointsView } from './views/CheckpointsView.js';
import { JudgeView } from './views/JudgeView.js';
import { AnnotationsView } from './views/AnnotationsView.js';

const LABELS: Record<ViewName, string> = {
  start: 'Start',
  overview: 'Overview',
  timeline: 'Timeline',
  events: 'Events',
  checkpoints: 'Checkpoints',
  judge: 'Judge',
  annotations: 'Annotations',
};

const VIEW_COMPONENTS: Record<ViewName, () => React.JSX.Element> = {
  start: StartView,
  overview: OverviewView,
  timeline: TimelineView,
  events: EventsView,
  checkpoints: CheckpointsView,
  judge: JudgeView,
  annotations: AnnotationsView,
};

export function App() {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  const tz = useApp((s) => s.tz);
  const toggleTz = useApp((s) => s.toggleTz);
  const caseInfo = useApp((s) => s.caseInfo);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // Alt+1…7 switch views from anywhere (plain digits would collide with typing).
  const onKey = (e: KeyboardEvent) => {
    if (!e.altKey) return;
    const i = Number(e.key) - 1;
    if (Number.isInteger(i) && i >= 0 && i < VIEWS.length) {
      setView(VIEWS[i]!);
      e.preventDefault();
    }
  };
  const View = VIEW_COMPONENTS[view];
  return (
    <div className="app" onKeyDown={onKey}>
      <header className="topbar">
        <h1>MLShield</h1>
        <nav aria-label="Views">
          {VIEWS.map((v, i) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'tab active' : 'tab'}
              aria-current={v === view ? 'page' : undefined}
              onClick={() => setView(v)}
              disabled={v !== 'start' && !caseInfo}
              title={`Alt+${i + 1}`}
              data-view={v}
            >
              {LABELS[v]}
            </button>
          ))}
        </nav>
        <div className="toggles">
          <button type="button" onClick={toggleTz} aria-label={`Times shown in ${tz === 'utc' ? 'UTC' : 'local time'}; switch`} data-testid="tz-toggle">
            {tz === 'utc' ? 'UTC' : 'Local'}
          </button>
          <button type="button" onClick={() => {
              const next = theme === 'dark' ? 'light' : 'dark';
              setTheme(next);
              saveTheme(next);
            }} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} data-testid="theme-toggle">
            {theme === 'dark' ? '☾ Dark' : '☀ Light'}
          </button>
        </div>
      </header>
      <ErrorBanner />
      <main data-view={view}>
        <View />
      </main>
    </div>
  );
}
