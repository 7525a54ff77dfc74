import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/tools/global-setup.ts'],
    setupFiles: ['test/tools/setup.ts'],
    // PGlite starts in about a second from a migrated template; a whole poll over fixtures takes a few.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
