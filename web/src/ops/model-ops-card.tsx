import type { ModelOps, Replica } from '../api/types.ts'
import { countOf, formatMs, formatPerSecond, formatRate } from '../format.ts'
import { LatencyChart, RequestsChart } from './charts.tsx'
import { fillSeries } from './series.ts'
import { shadowSentence } from './shadow-sentence.ts'

interface ModelOpsCardProps {
  model: ModelOps
  windowSeconds: number
  generatedAt: string
}

/** One model in production: traffic, latency, errors, versions and the health of every replica. */
export function ModelOpsCard ({ model, windowSeconds, generatedAt }: ModelOpsCardProps) {
  const points = fillSeries(model.series, windowSeconds, generatedAt)
  const replicas = [
    ...model.stable.replicas.map((r) => ({ ...r, version: model.stable.version, role: 'stable' })),
    ...(model.canary?.replicas ?? []).map((r) => ({ ...r, version: model.canary!.version, role: 'canary' }))
  ]
  const healthy = replicas.filter((r) => r.healthy).length
  const errorLevel = model.errorRate >= 0.05 ? 'bad' : model.errorRate > 0 ? 'warn' : 'ok'
  return (
    <article className='ops-card' aria-labelledby={`ops-${model.id}`} data-model={model.id}>
      <header className='ops-card__head'>
        <h2 id={`ops-${model.id}`}><code>{model.id}</code></h2>
        <span className={`pill ${healthy === replicas.length ? 'pill--ready' : healthy === 0 ? 'pill--down' : 'pill--warn'}`}>
          {healthy}/{replicas.length} replicas healthy
        </span>
      </header>
      <Versions model={model} />
      <dl className='stats'>
        <Stat label='Requests/s' value={formatPerSecond(model.requestsPerSecond)} note={countOf(model.requests, 'request')} />
        <Stat label='p50' value={formatMs(model.latencyMs.p50)} />
        <Stat label='p95' value={formatMs(model.latencyMs.p95)} />
        <Stat label='p99' value={formatMs(model.latencyMs.p99)} />
        <Stat label='Errors' value={formatRate(model.errorRate)} level={errorLevel} />
        <Stat label='Rate limited' value={model.rateLimited.toLocaleString('en')} note={model.rateLimited === 1 ? '429 answer' : '429 answers'} level={model.rateLimited > 0 ? 'warn' : 'ok'} />
      </dl>
      <div className='ops-card__charts'>
        <RequestsChart points={points} label='Requests per 10 s' />
        <LatencyChart points={points} label='p95 latency' />
      </div>
      <ul className='replicas' aria-label={`Replicas of ${model.id}`}>
        {replicas.map((r) => <ReplicaRow key={`${r.role}${r.url}`} replica={r} />)}
      </ul>
    </article>
  )
}

function Versions ({ model }: { model: ModelOps }) {
  const canary = model.canary
  const stableShare = canary === null ? 100 : 100 - canary.weight
  return (
    <div className='versions'>
      <p>
        <span className='version-tag'>stable <strong>{model.stable.version}</strong></span>
        {canary !== null && <span className='version-tag version-tag--canary'>canary <strong>{canary.version}</strong> · {canary.weight}% of traffic</span>}
        {canary === null && <span className='muted'>no canary</span>}
      </p>
      {canary !== null && (
        <div className='split' aria-hidden='true'>
          <span className='split__stable' style={{ width: `${stableShare}%` }} />
          <span className='split__canary' style={{ width: `${canary.weight}%` }} />
        </div>
      )}
      {model.shadow !== null && <p className='shadow-line' data-testid={`shadow-${model.id}`}>{shadowSentence(model.shadow)}</p>}
    </div>
  )
}

function Stat ({ label, value, note, level = 'ok' }: { label: string, value: string, note?: string, level?: 'ok' | 'warn' | 'bad' }) {
  return (
    <div className={`stat stat--${level}`}>
      <dt>{label}</dt>
      <dd>{value}{note !== undefined && <span className='stat__note'>{note}</span>}</dd>
    </div>
  )
}

function ReplicaRow ({ replica }: { replica: Replica & { version: string, role: string } }) {
  return (
    <li className='replica'>
      <span className={`dot ${replica.healthy ? 'dot--ok' : 'dot--bad'}`} aria-hidden='true' />
      <code className='replica__url'>{replica.url}</code>
      <span className='muted'>{replica.role} {replica.version}</span>
      <span className={replica.healthy ? 'replica__state' : 'replica__state replica__state--bad'}>{replica.healthy ? 'healthy' : 'unhealthy'}</span>
    </li>
  )
}
