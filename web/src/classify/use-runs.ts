import { useCallback, useEffect, useRef, useState } from 'react'
import type { Modelgate } from '@modelgate/client'
import type { ImageSource, PredictResult } from '../api/types.ts'

export type Run =
  | { status: 'loading' }
  | { status: 'done', result: PredictResult }
  | { status: 'error', error: unknown }

export interface Runs {
  /** One entry per model asked, in the order asked. */
  runs: Array<[string, Run]>
  start: (image: ImageSource, modelIds: string[]) => void
  clear: () => void
}

/** Predict calls for one image: a new start cancels the previous one's requests still in flight. */
export function useRuns (client: Modelgate): Runs {
  const [runs, setRuns] = useState<Array<[string, Run]>>([])
  const controller = useRef<AbortController | undefined>(undefined)

  const start = useCallback((image: ImageSource, modelIds: string[]) => {
    controller.current?.abort()
    const current = new AbortController()
    controller.current = current
    setRuns(modelIds.map((id) => [id, { status: 'loading' }]))
    for (const id of modelIds) {
      const settle = (run: Run): void => {
        if (current.signal.aborted) return
        setRuns((prev) => prev.map(([k, r]) => [k, k === id ? run : r]))
      }
      const started = performance.now()
      client.classify(id, image.kind === 'file' ? image.file : image.url, { signal: current.signal }).then(
        (answer) => settle({ status: 'done', result: { ...answer, roundTripMs: performance.now() - started } }),
        (error: unknown) => settle({ status: 'error', error })
      )
    }
  }, [client])

  const clear = useCallback(() => {
    controller.current?.abort()
    setRuns([])
  }, [])

  useEffect(() => () => controller.current?.abort(), [])
  return { runs, start, clear }
}
