import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration suites start real processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/test/**/*.test.ts', 'services/model-server/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'scripts/test/**/*.test.ts', 'web/test/**/*.test.ts'] }
      },
      {
        extends: true,
        test: { name: 'integration', include: ['services/*/test/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/hostile/**/*.test.ts', 'tests/infra/**/*.test.ts'], exclude: ['services/model-server/**', '**/node_modules/**'], fileParallelism: false }
      },
      {
        extends: true,
        // Each file starts several model services and the web server: one file at a time.
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], fileParallelism: false }
      },
      {
        extends: true,
        // Builds every image and runs the platform from them, one file at a time, in a group of its own:
        // after the unit tests and before the one-file-at-a-time projects (which vitest runs last), so
        // image builds never compete with other suites' processes for the cores.
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
