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
      }
    ]
  }
})
