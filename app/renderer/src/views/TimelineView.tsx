/**
 * Timeline: detections per attack phase and GPU telemetry on one time axis. Brush (toolbox), wheel,
 * `=` / `-` and the buttons zoom in and out, `0` resets — the axis is the case's whole span and
 * each window is re-queried at full resolution (timeline-zoom.ts) —; j / k step through alerts,
 * "± N minutes" around the selected alert, and a jump to the event behind it.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import type { Timeline } from '../../../../contract/index.js';
import type { ECharts } from 'echarts/core';
import { useApp } from '../state/store-context.js';
import { EChart } from '../components/EChart.js';
import { formatTimeWindow, formatTs } from '../format.js';
import { alertOrder, timelineOption } from './timeline-option.js';
import { NO_ZOOM, zoomAxis, zoomQuery, zoomReducer, zoomShare, type TimelineZoom } from './timeline-zoom.js';

const AROUND_CHOICES = [5, 15, 60] as const;
/** A wheel or drag fires many datazoom events: the window is re-queried once it rests this long. */
const ZOOM_SETTLE_MS = 250;

/** The x-axis extent (ms) after a zoom, read from the chart's model (ECharts has no public getter). */
function visibleExtent(chart: ECharts): [number, number] | null {
  const model = (chart as unknown as { getModel(): { getComponent(t: string, i: number): { axis?: { scale: { getExtent(): number[] } } } | undefined } }).getModel();
  const ext = model.getComponent('xAxis', 1)?.axis?.scale.getExtent();
  return ext && ext.length === 2 ? [ext[0]!, ext[1]!] : null;
}

export function TimelineView() {
  const transport = useApp((s) => s.transport);
  const tz = useApp((s) => s.tz);
  const theme = useApp((s) => s.theme);
  const caseInfo = useApp((s) => s.caseInfo);
  const casePath = caseInfo?.path ?? null;
  const showEvent = useApp((s) => s.showEvent);
  const [zoom, dispatchZoom] = useReducer(zoomReducer, NO_ZOOM);
  // The answer and the zoom it was asked for: the chart shows that window on the full span.
  const [data, setData] = useState<{ t: Timeline; zoom: TimelineZoom } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [around, setAround] = useState<number>(15);
  const zoomTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Another case: its own span, no window.
  useEffect(() => dispatchZoom({ type: 'case' }), [casePath]);

  const winFrom = zoom.win?.from;
  const winTo = zoom.win?.to;
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;
  useEffect(() => {
    let live = true;
    const asked = zoomRef.current;
    transport
      .call('timeline.get', { buckets: 400, ...zoomQuery(asked) })
      .then((t) => {
        if (!live) return;
        // An unzoomed answer spans the whole case: that is the axis from now on.
        if (!asked.win) dispatchZoom({ type: 'span', full: { from: t.from, to: t.to } });
        setData({ t, zoom: asked });
        setError(null);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [transport, winFrom, winTo, caseInfo]);

  const alerts = useMemo(() => (data ? alertOrder(data.t) : []), [data]);
  const selectedIndex = alerts.findIndex((a) => a.id === selectedId);
  const selected = selectedIndex >= 0 ? alerts[selectedIndex]! : null;
  const option = useMemo(() => (data ? timelineOption(data.t, tz, selectedId, zoomAxis(data.zoom, data.t)) : null), [data, tz, selectedId]);
  const share = zoomShare(zoom);
  const sharePercent = share < 0.001 ? '<0.1' : (share * 100).toFixed(1);

  const step = useCallback(
    (dir: 1 | -1) => {
      if (alerts.length === 0) return;
      const next = selectedIndex < 0 ? (dir === 1 ? 0 : alerts.length - 1) : Math.max(0, Math.min(alerts.length - 1, selectedIndex + dir));
      setSelectedId(alerts[next]!.id);
    },
    [alerts, selectedIndex],
  );

  const onKey = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'j') step(1);
    else if (e.key === 'k') step(-1);
    else if (e.key === '=' || e.key === '+') dispatchZoom({ type: 'in' });
    else if (e.key === '-') dispatchZoom({ type: 'out' });
    else if (e.key === '0') dispatchZoom({ type: 'reset' });
    else if (e.key === 'Enter' && selected?.eventId) showEvent(selected.eventId);
    else return;
    e.preventDefault();
  };

  const onEvents = useMemo(
    () => ({
      datazoom: (_p: unknown, chart: ECharts) => {
        if (zoomTimer.current) clearTimeout(zoomTimer.current);
        zoomTimer.current = setTimeout(() => {
          const ext = visibleExtent(chart);
          if (ext) dispatchZoom({ type: 'extent', from: ext[0] * 1000, to: ext[1] * 1000 });
        }, ZOOM_SETTLE_MS);
      },
      click: (p: unknown) => {
        const d = (p as { data?: unknown[]; seriesType?: string }).data;
        if ((p as { seriesType?: string }).seriesType === 'scatter' && Array.isArray(d)) setSelectedId(Number(d[2]));
      },
    }),
    [],
  );

  if (!caseInfo) return <div className="view"><p className="muted">Open a case to see its timeline.</p></div>;
  return (
    // The view is one keyboard region: focus it (click or Tab) and use j / k.
    <div className="view timeline-view" tabIndex={0} onKeyDown={onKey} aria-label="Timeline (j: next alert, k: previous alert, = zoom in, - zoom out, 0 reset zoom)" data-testid="timeline-view">
      <div className="toolbar" data-testid="timeline-toolbar">
        <h2>Timeline</h2>
        <button type="button" onClick={() => step(-1)} disabled={alerts.length === 0} aria-keyshortcuts="k">
          ◀ Previous alert (k)
        </button>
        <button type="button" onClick={() => step(1)} disabled={alerts.length === 0} aria-keyshortcuts="j">
          Next alert (j) ▶
        </button>
        <label>
          ±
          <select value={around} onChange={(e) => setAround(Number(e.target.value))} aria-label="Minutes around the selected alert">
            {AROUND_CHOICES.map((m) => (
              <option key={m} value={m}>{m} min</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!selected || !zoom.full} onClick={() => selected && dispatchZoom({ type: 'around', ts: selected.ts, halfWidth: around * 60e6 })}>
          Zoom around alert
        </button>
        <button type="button" onClick={() => dispatchZoom({ type: 'in' })} disabled={!zoom.full} aria-keyshortcuts="=" aria-label="Zoom in (=)">
          +
        </button>
        <button type="button" onClick={() => dispatchZoom({ type: 'out' })} disabled={!zoom.win} aria-keyshortcuts="-" aria-label="Zoom out (-)">
          −
        </button>
        <button type="button" onClick={() => dispatchZoom({ type: 'reset' })} disabled={!zoom.win} aria-keyshortcuts="0">
          Reset zoom (0)
        </button>
        {/* Short, and it gives way (ellipsis) rather than wrap the toolbar; the exact edges are in its tooltip. */}
        <span
          className="muted small zoom-window"
          data-testid="zoom-window"
          data-from={zoom.win?.from ?? zoom.full?.from ?? ''}
          data-to={zoom.win?.to ?? zoom.full?.to ?? ''}
          data-share={share.toFixed(6)}
          title={zoom.win ? `${formatTs(zoom.win.from, tz)} – ${formatTs(zoom.win.to, tz)} (${sharePercent}% of the span)` : undefined}
        >
          {zoom.win ? `${formatTimeWindow(zoom.win.from, zoom.win.to, tz)} (${sharePercent}%)` : 'whole span'}
        </span>
        <span className="muted small nowrap" data-testid="alert-count">
          {alerts.length} alert{alerts.length === 1 ? '' : 's'} in view
        </span>
      </div>
      {error ? <p role="alert">{error}</p> : null}
      {option ? <EChart option={option} height={460} label="Detections per attack phase and GPU telemetry over time" theme={theme} onEvents={onEvents} testId="timeline-chart" /> : <p className="muted">Loading…</p>}
      <section className="panel selected-alert" aria-live="polite" data-testid="selected-alert">
        {selected ? (
          <>
            <h3>
              Alert {selectedIndex + 1} of {alerts.length}: <span data-testid="selected-phase">{selected.phase}</span> · {selected.severity} · layer {selected.layer}
            </h3>
            <p className="mono small" data-testid="selected-detection" data-detection-id={selected.id}>
              {formatTs(selected.ts, tz)} · <span data-testid="selected-job">{selected.job ?? 'no job'}</span>
            </p>
            <p>{selected.label}</p>
            {selected.eventId ? (
              <button type="button" onClick={() => showEvent(selected.eventId!)}>
                Open event #{selected.eventId} (Enter)
              </button>
            ) : null}
          </>
        ) : (
          <p className="muted">
            {alerts.length > 0 ? 'Press j to step to the first alert.' : 'No detections in this window yet: the bars show event activity, the lines GPU telemetry.'}
          </p>
        )}
      </section>
    </div>
  );
}
