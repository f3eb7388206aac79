import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['analysis/**/*.test.ts', 'app/**/*.test.ts', 'app/**/*.test.tsx', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
