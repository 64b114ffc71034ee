#!/usr/bin/env node
// In this repository the CLI runs from its TypeScript source through tsx; the published package runs
// the compiled dist/cli.js instead (publishConfig.bin), with no dependency at all.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
