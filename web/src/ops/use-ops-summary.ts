import { useCallback, useEffect, useRef, useState } from 'react'
import { type Modelgate, ModelgateError } from '@modelgate/client'
import type { OpsSummary } from '../api/types.ts'

export const REFRESH_MS = 5000

export interface OpsState {
  summary: OpsSummary | undefined
  /** The last refresh's failure; the previous summary stays on screen beside it. */
  error: unknown
  refreshing: boolean
  refresh: () => void
}

/** Polls /ops/summary while the tab is visible; a refused key is handed to onRefused. */
export function useOpsSummary (client: Modelgate, adminKey: string, onRefused: (err: ModelgateError) => void): OpsState {
  const [summary, setSummary] = useState<OpsSummary | undefined>()
  const [error, setError] = useState<unknown>()
  const [refreshing, setRefreshing] = useState(false)
  const controller = useRef<AbortController | undefined>(undefined)
  const refused = useRef(onRefused)
  refused.current = onRefused

  const refresh = useCallback(() => {
    controller.current?.abort()
    const current = new AbortController()
    controller.current = current
    setRefreshing(true)
    client.opsSummary({ apiKey: adminKey, signal: current.signal }).then((s) => {
      setSummary(s)
      setError(undefined)
    }, (err: unknown) => {
      if (current.signal.aborted) return
      if (err instanceof ModelgateError && (err.status === 401 || err.status === 403)) refused.current(err)
      else setError(err)
    }).finally(() => { if (!current.signal.aborted) setRefreshing(false) })
  }, [client, adminKey])

  useEffect(() => {
    refresh()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') refresh() }, REFRESH_MS)
    return () => { clearInterval(timer); controller.current?.abort() }
  }, [refresh])

  return { summary, error, refreshing, refresh }
}
