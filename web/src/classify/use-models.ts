import { useEffect, useState } from 'react'
import type { Modelgate } from '@modelgate/client'
import type { ModelInfo } from '../api/types.ts'

// Status is live: a model going down (or coming back) shows within this interval.
const REFRESH_MS = 10_000

export interface ModelsState {
  models: ModelInfo[] | undefined
  error: unknown
}

export function useModels (client: Modelgate): ModelsState {
  const [state, setState] = useState<ModelsState>({ models: undefined, error: undefined })
  useEffect(() => {
    let controller = new AbortController()
    const load = async (): Promise<void> => {
      controller = new AbortController()
      try {
        const { models } = await client.models({ signal: controller.signal })
        setState({ models, error: undefined })
      } catch (error) {
        if (controller.signal.aborted) return
        // Keep the last list on a failed refresh: the error shows beside it.
        setState((s) => ({ models: s.models, error }))
      }
    }
    void load()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void load() }, REFRESH_MS)
    return () => { clearInterval(timer); controller.abort() }
  }, [client])
  return state
}
