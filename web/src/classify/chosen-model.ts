// The chosen model lives in this browser's localStorage and nowhere else: two people in two
// browsers never share a choice, and a reload keeps it.
import type { ModelInfo } from '../api/types.ts'

const KEY = 'modelgate.model'

export function loadChosenModel (storage: Storage | undefined = safeStorage()): string | undefined {
  try { return storage?.getItem(KEY) ?? undefined } catch { return undefined }
}

export function saveChosenModel (id: string, storage: Storage | undefined = safeStorage()): void {
  // Private browsing or a full quota: the choice then lasts for this page only.
  try { storage?.setItem(KEY, id) } catch {}
}

/** The model to use: the stored choice while it can serve, else the first that can. */
export function effectiveModel (models: ModelInfo[], stored: string | undefined): ModelInfo | undefined {
  const ready = models.filter((m) => m.status === 'ready')
  return ready.find((m) => m.id === stored) ?? ready[0]
}

function safeStorage (): Storage | undefined {
  try { return globalThis.localStorage } catch { return undefined }
}
