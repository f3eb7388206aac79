/**
 * ECharts, tree-shaken (`echarts/core` plus the charts and components the views use). Loaded with
 * a dynamic import (chart-work.ts) so it is a chunk of its own: evaluated in a task of its own after
 * the first view, not inside the one that evaluates the app (`npm run bench -- ui`: together they
 * were one 60–80 ms task on the first render).
 */
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

echarts.use([
  BarChart, HeatmapChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent,
  ToolboxComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer,
]);

export const init = echarts.init;
