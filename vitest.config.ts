import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: { include: ['common/**/*.ts', 'reconciler/**/*.ts', 'native/lib/**/*.ts'] },
  },
});
