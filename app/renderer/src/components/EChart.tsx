/**
 * A thin React wrapper around one ECharts instance. The renderer is canvas in the app and SVG
 * under jsdom, where tests read the chart's SVG text. ECharts arrives as a chunk of its own, and
 * creating the instance and setting an option are separate jobs in separate tasks (chart-work.ts),
 * the option's layout and painting in the next animation frame (`lazyUpdate`), so no step of a
 * first render is one long task. `data-rendered` is set once a chart has painted its option.
 */
import { useEffect, useRef, useState } from 'react';
import type { EChartsCoreOption, ECharts } from 'echarts/core';
import { useStores } from '../state/store-context.js';
import { loadCharts, scheduleChartWork } from './chart-work.js';

export interface EChartProps {
  option: EChartsCoreOption;
  /** Fixed height in px (width follows the container). */
  height: number;
  label: string;
  theme: 'dark' | 'light';
  onEvents?: Record<string, (params: unknown, chart: ECharts) => void>;
  testId?: string;
}

/**
 * Runs a lazy `setOption`'s pending update now: `resize()` does that (ECharts documents the pair
 * `setOption(o, { lazyUpdate: true }); resize()`). Skipped when a frame already did it (the
 * pending marker, `__pendingUpdate` in ECharts 5 and 6, is gone), so it is not laid out twice.
 */
function layOut(chart: ECharts): void {
  if (chart.isDisposed() || !(chart as unknown as Record<string, unknown>)['__pendingUpdate']) return;
  chart.resize();
}

/**
 * Our grids give their margins in pixels, sized for their labels. ECharts 6 by default also lays
 * the axis labels out once more to shrink a grid whose labels would leave the chart
 * (`outerBoundsMode: 'auto'`): half of a chart's layout time on the first render, for nothing here.
 */
export function withFixedGrids(option: EChartsCoreOption): EChartsCoreOption {
  const grid: unknown = option.grid;
  if (!grid || typeof grid !== 'object') return option;
  const fixed = (g: object): object => ({ outerBoundsMode: 'none', ...g });
  return { ...option, grid: Array.isArray(grid) ? grid.map((g: object) => fixed(g)) : fixed(grid) };
}

export function EChart({ option, height, label, theme, onEvents, testId }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);
  // Bumped when an instance exists, so the option effect runs for it.
  const [instance, setInstance] = useState(0);
  const { chartRenderer } = useStores();
  const handlers = useRef(onEvents);
  handlers.current = onEvents;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let chart: ECharts | null = null;
    let ro: ResizeObserver | null = null;
    let cancelInit: (() => void) | null = null;
    let live = true;
    void loadCharts().then((echarts) => {
      if (!live) return;
      cancelInit = scheduleChartWork(() => {
        chart = echarts.init(el, theme === 'dark' ? 'dark' : undefined, {
          renderer: chartRenderer,
          // jsdom has no layout: give the SVG renderer a size of its own.
          ...(chartRenderer === 'svg' ? { width: el.clientWidth || 800, height } : {}),
        });
        const c = chart;
        chartRef.current = c;
        for (const name of Object.keys(handlers.current ?? {})) {
          c.on(name, (p: unknown) => handlers.current?.[name]?.(p, c));
        }
        c.on('finished', () => {
          el.dataset.rendered = 'true';
        });
        // A ResizeObserver reports the size it starts with too: lay out again only on a real change.
        let size = `${el.clientWidth}x${el.clientHeight}`;
        ro =
          typeof ResizeObserver === 'undefined'
            ? null
            : new ResizeObserver(() => {
                const now = `${el.clientWidth}x${el.clientHeight}`;
                if (now === size) return;
                size = now;
                c.resize();
              });
        ro?.observe(el);
        setInstance((n) => n + 1);
      });
    });
    return () => {
      live = false;
      cancelInit?.();
      ro?.disconnect();
      (chart as ECharts | null)?.dispose();
      chartRef.current = null;
      delete el.dataset.rendered;
    };
  }, [theme, chartRenderer, height]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    let cancelLayout: (() => void) | null = null;
    const cancelModel = scheduleChartWork(() => {
      if (chart.isDisposed()) return;
      // The model in this task; the layout in the next one (before a frame could lay out several
      // charts at once); the painting in the chart's next animation frame.
      chart.setOption({ backgroundColor: 'transparent', ...withFixedGrids(option) }, { notMerge: true, lazyUpdate: true });
      cancelLayout = scheduleChartWork(() => layOut(chart), 'next');
    });
    return () => {
      cancelModel();
      (cancelLayout as (() => void) | null)?.();
    };
  }, [option, theme, instance]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
