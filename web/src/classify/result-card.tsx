import type { ModelInfo } from '../api/types.ts'
import { ErrorNotice } from '../components/error-notice.tsx'
import { formatMs } from '../format.ts'
import { BarsSkeleton, PredictionBars } from './prediction-bars.tsx'
import type { Run } from './use-runs.ts'

interface ResultCardProps {
  modelId: string
  model: ModelInfo | undefined
  run: Run
  badges?: string[]
}

/** One model's answer: who answered (model and version), how fast, and the top classes. */
export function ResultCard ({ modelId, model, run, badges = [] }: ResultCardProps) {
  const answered = run.status === 'done' ? run.result : undefined
  const name = answered?.model.name ?? model?.name ?? modelId
  const version = answered?.model.version ?? model?.version
  return (
    <article className={`result-card result-card--${run.status}`} aria-busy={run.status === 'loading'} data-model={modelId}>
      <header className='result-card__head'>
        <div>
          <h3 className='result-card__name'>{name}</h3>
          <p className='result-card__meta'>
            <code>{modelId}</code>{version !== undefined && <> · version <span className='result-card__version'>{version}</span></>}
          </p>
        </div>
        {badges.length > 0 && (
          <ul className='badges' aria-label='Highlights'>
            {badges.map((b) => <li key={b} className='badge'>{b}</li>)}
          </ul>
        )}
      </header>
      {run.status === 'loading' && (
        <>
          <p className='result-card__status'><span className='spinner' aria-hidden='true' />Classifying…</p>
          <BarsSkeleton />
        </>
      )}
      {run.status === 'error' && <ErrorNotice error={run.error} compact />}
      {answered !== undefined && (
        <>
          <dl className='timings'>
            <div><dt>Total</dt><dd>{formatMs(answered.timing.totalMs)}</dd></div>
            <div><dt>Inference</dt><dd>{formatMs(answered.timing.inferenceMs)}</dd></div>
            <div><dt>Round trip</dt><dd>{formatMs(answered.roundTripMs)}</dd></div>
          </dl>
          <PredictionBars predictions={answered.predictions} />
        </>
      )}
    </article>
  )
}
