import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: Pacemaker tools and xsltproc are child processes, more workers only contend.
    maxWorkers: 2,
  },
});
