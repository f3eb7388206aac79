// Renderer build: one static bundle loaded by Electron (file://, hence base './') and by
// `mlshield serve` (same files over HTTP). No plugin-react: esbuild's automatic JSX runtime.
// Paths are relative to the project root, where scripts/build.mjs runs Vite (this file stays
// free of Node imports: it lives in the renderer's folder, which the import-boundary test guards).
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'app/renderer',
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome120',
    chunkSizeWarningLimit: 2000,
  },
});
