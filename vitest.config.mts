import { defineConfig } from 'vitest/config';

// Projects: fast unit tests, the tests that boot the real guest under QEMU,
// the guests' payload budget and the Electron specs. The VM project runs its
// files one after another in one fork, one guest at a time; `npm test` runs two
// such runs at once on disjoint files (scripts/test-all.sh), one guest per core.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'e2e/electron-standin/**/*.test.ts', 'vm-assets/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
          environment: 'node',
          globalSetup: ['e2e/helpers/temp-root.ts'],
        },
      },
      {
        test: {
          name: 'vm',
          include: ['e2e/vm/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['e2e/helpers/temp-root.ts'],
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          pool: 'forks',
          sequence: { concurrent: false },
        },
      },
      {
        test: {
          // After everything else: it reads the payload sizes measured in the background.
          name: 'payload',
          include: ['e2e/payload/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['e2e/helpers/temp-root.ts'],
        },
      },
      {
        test: {
          name: 'electron',
          include: ['e2e/electron/**/*.spec.ts'],
          environment: 'node',
          globalSetup: ['e2e/helpers/temp-root.ts'],
          testTimeout: 330_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
