/**
 * A thin React wrapper around one ECharts instance (tree-shaken `echarts/core`). The renderer is
 * canvas in the app and SVG under jsdom, where tests read the chart's SVG text.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption, ECharts } from 'echarts/core';
import { useStores } from '../state/store-context.js';

echarts.use([
  BarChart, HeatmapChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent,
  ToolboxComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer,
]);

export interface EChartProps {
  option: EChartsCoreOption;
  /** Fixed height in px (width follows the container). */
  height: number;
  label: string;
  theme: 'dark' | 'light';
  onEvents?: Record<string, (params: unknown, chart: ECharts) => void>;
  testId?: string;
}

export function EChart({ option, height, label, theme, onEvents, testId }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);
  const { chartRenderer } = useStores();
  const handlers = useRef(onEvents);
  handlers.current = onEvents;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, theme === 'dark' ? 'dark' : undefined, {
      renderer: chartRenderer,
      // jsdom has no layout: give the SVG renderer a size of its own.
      ...(chartRenderer === 'svg' ? { width: el.clientWidth || 800, height } : {}),
    });
    chartRef.current = chart;
    for (const name of Object.keys(handlers.current ?? {})) {
      chart.on(name, (p: unknown) => handlers.current?.[name]?.(p, chart));
    }
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => chart.resize());
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [theme, chartRenderer, height]);

  useEffect(() => {
    chartRef.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option, theme]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
