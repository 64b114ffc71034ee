// The container suite's engine: started once for the run (when none answers) and stopped after it.
import type { TestProject } from 'vitest/node'
import { startEngine } from './engine.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the container suite cannot run here; undefined when it can. */
    containersSkip: string | undefined
  }
}

export default async function setup (project: TestProject): Promise<() => Promise<void>> {
  const engine = await startEngine()
  project.provide('containersSkip', engine.skip)
  return engine.stop
}
