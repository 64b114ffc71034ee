import { type ReactNode, useState } from 'react'
import type { Modelgate, ModelgateError } from '@modelgate/client'
import { ErrorNotice } from '../components/error-notice.tsx'
import { formatMs, formatPerSecond, formatRate } from '../format.ts'
import { AdminKeyForm } from './admin-key-form.tsx'
import { forgetAdminKey, loadAdminKey, saveAdminKey } from './admin-key.ts'
import { ModelOpsCard } from './model-ops-card.tsx'
import { REFRESH_MS, useOpsSummary } from './use-ops-summary.ts'

export function OpsPage ({ client }: { client: Modelgate }) {
  const [adminKey, setAdminKey] = useState(loadAdminKey)
  const [refused, setRefused] = useState<unknown>()

  if (adminKey === undefined) {
    return (
      <>
        <OpsIntro />
        <AdminKeyForm error={refused} onKey={(k) => { saveAdminKey(k); setRefused(undefined); setAdminKey(k) }} />
      </>
    )
  }
  const forget = (err?: ModelgateError): void => { forgetAdminKey(); setRefused(err); setAdminKey(undefined) }
  return <Dashboard client={client} adminKey={adminKey} onForget={forget} />
}

function OpsIntro ({ children }: { children?: ReactNode }) {
  return (
    <div className='intro intro--row'>
      <div>
        <h1>Operations</h1>
        <p className='lede'>Traffic, latency, errors and replica health per model, refreshed every {REFRESH_MS / 1000} seconds.</p>
      </div>
      {children}
    </div>
  )
}

function Dashboard ({ client, adminKey, onForget }: { client: Modelgate, adminKey: string, onForget: (err?: ModelgateError) => void }) {
  const { summary, error, refreshing, refresh } = useOpsSummary(client, adminKey, onForget)
  const totals = summary === undefined ? undefined : summarize(summary.models)
  return (
    <>
      <OpsIntro>
        <div className='toolbar'>
          <button type='button' className='button' onClick={refresh} disabled={refreshing}>{refreshing ? 'Refreshing…' : 'Refresh'}</button>
          <button type='button' className='button button--ghost' onClick={() => onForget()}>Forget key</button>
        </div>
      </OpsIntro>
      {error !== undefined && <ErrorNotice error={error} />}
      {summary === undefined && error === undefined && <div className='skeleton skeleton--card' aria-label='Loading the summary' />}
      {summary !== undefined && totals !== undefined && (
        <>
          <p className='window-note' aria-live='polite'>
            Last {Math.round(summary.windowSeconds / 60)} minutes · updated <time dateTime={summary.generatedAt}>{new Date(summary.generatedAt).toLocaleTimeString()}</time>
          </p>
          <dl className='stats stats--overview' aria-label='All models'>
            <div className='stat'><dt>Requests/s</dt><dd>{formatPerSecond(totals.rps)}</dd></div>
            <div className='stat'><dt>Requests</dt><dd data-testid='total-requests'>{totals.requests.toLocaleString('en')}</dd></div>
            <div className='stat'><dt>Slowest p95</dt><dd>{formatMs(totals.worstP95)}</dd></div>
            <div className='stat'><dt>Errors</dt><dd>{formatRate(totals.errorRate)}</dd></div>
            <div className='stat'><dt>Rate limited</dt><dd>{totals.rateLimited.toLocaleString('en')}</dd></div>
          </dl>
          {summary.models.length === 0 && <p className='muted'>The gateway serves no model.</p>}
          <div className='ops-grid'>
            {summary.models.map((m) => <ModelOpsCard key={m.id} model={m} windowSeconds={summary.windowSeconds} generatedAt={summary.generatedAt} />)}
          </div>
        </>
      )}
    </>
  )
}

function summarize (models: Array<{ requestsPerSecond: number, requests: number, errorRate: number, rateLimited: number, latencyMs: { p95: number | null } }>) {
  const requests = models.reduce((n, m) => n + m.requests, 0)
  const errors = models.reduce((n, m) => n + m.errorRate * m.requests, 0)
  const p95s = models.map((m) => m.latencyMs.p95).filter((v): v is number => v !== null)
  return {
    rps: models.reduce((n, m) => n + m.requestsPerSecond, 0),
    requests,
    errorRate: requests === 0 ? 0 : errors / requests,
    rateLimited: models.reduce((n, m) => n + m.rateLimited, 0),
    worstP95: p95s.length === 0 ? null : Math.max(...p95s)
  }
}
