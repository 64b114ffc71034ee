import type { Prediction } from '../api/types.ts'
import { formatProbability } from '../format.ts'

/** Top classes as labelled bars; the text carries the value, the bar is decoration. */
export function PredictionBars ({ predictions }: { predictions: Prediction[] }) {
  return (
    <ol className='bars' aria-label={`Top ${predictions.length} classes`}>
      {predictions.map((p, i) => (
        <li key={p.index} className={`bar${i === 0 ? ' bar--top' : ''}`}>
          <span className='bar__label' title={p.label}>{p.label}</span>
          <span className='bar__value'>{formatProbability(p.probability)}</span>
          <span className='bar__track' aria-hidden='true'>
            <span className='bar__fill' style={{ width: `${Math.max(0, Math.min(1, p.probability)) * 100}%` }} />
          </span>
        </li>
      ))}
    </ol>
  )
}

export function BarsSkeleton () {
  return (
    <div className='bars bars--loading' aria-hidden='true'>
      {[0.8, 0.5, 0.35, 0.25, 0.15].map((w) => (
        <div key={w} className='bar'>
          <span className='skeleton skeleton--text' style={{ width: `${w * 60 + 20}%` }} />
          <span className='bar__track'><span className='skeleton skeleton--fill' style={{ width: `${w * 100}%` }} /></span>
        </div>
      ))}
    </div>
  )
}
