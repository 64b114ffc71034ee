import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration suites start real processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', sequence: { groupOrder: 0 }, include: ['packages/*/test/**/*.test.ts', 'services/model-server/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'scripts/test/**/*.test.ts', 'web/test/**/*.test.ts'] }
      },
      {
        extends: true,
        test: { name: 'integration', sequence: { groupOrder: 0 }, include: ['services/*/test/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/hostile/**/*.test.ts', 'tests/infra/**/*.test.ts'], exclude: ['services/model-server/**', '**/node_modules/**'], fileParallelism: false }
      },
      {
        extends: true,
        // Each file starts several model services and the web server: one file at a time.
        test: { name: 'browser', sequence: { groupOrder: 0 }, include: ['tests/browser/**/*.test.ts'], fileParallelism: false }
      },
      {
        extends: true,
        // Builds every image and runs the platform from them: after the other projects, so image builds
        // do not compete with their processes for the cores; one file at a time.
        test: {
          name: 'containers',
          include: ['tests/containers/**/*.test.ts'],
          globalSetup: ['tests/containers/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
