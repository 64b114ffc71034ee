// Cleanup that works wherever a helper is called: inside a test it runs when the test ends; in a
// beforeAll (or describe) it runs after the file's tests. A process exit kills whatever is left.
import { afterAll, onTestFinished } from 'vitest'

type Cleanup = () => Promise<void> | void

const afterFile: Cleanup[] = []
const onExit = new Set<() => void>()

// Registered when a test file imports this module, so it belongs to that file's root suite.
afterAll(async () => {
  const pending = afterFile.splice(0).reverse()
  const results = await Promise.allSettled(pending.map(async (fn) => { await fn() }))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
})

process.once('exit', () => {
  for (const kill of onExit) kill()
})

/** Runs `fn` when the current test ends, or after the file's tests when called outside a test. */
export function registerCleanup (fn: Cleanup): void {
  try {
    onTestFinished(async () => { await fn() })
  } catch {
    afterFile.push(fn)
  }
}

/** A last-resort synchronous kill for when the test process exits without cleaning up. */
export function killOnExit (kill: () => void): () => void {
  onExit.add(kill)
  return () => onExit.delete(kill)
}
