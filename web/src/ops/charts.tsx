// Small SVG charts, drawn in a 0..100 box and stretched to their container (CSS sizes them).
import type { SeriesPoint } from '../api/types.ts'
import { formatMs } from '../format.ts'

const W = 100
const H = 40

interface ChartProps {
  points: SeriesPoint[]
  label: string
}

/** Requests per bucket as bars; the errored and rate-limited part of each bar in its own colour. */
export function RequestsChart ({ points, label }: ChartProps) {
  const max = Math.max(1, ...points.map((p) => p.requests))
  const step = W / points.length
  const total = points.reduce((n, p) => n + p.requests, 0)
  return (
    <figure className='chart'>
      <figcaption className='chart__caption'><span>{label}</span><span className='muted'>peak {max === 1 && total === 0 ? 0 : max}</span></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio='none' role='img' aria-label={`${label}: ${total} requests in the window, at most ${max} in 10 seconds`}>
        <line className='chart__base' x1='0' x2={W} y1={H - 0.25} y2={H - 0.25} />
        {points.map((p, i) => {
          if (p.requests === 0) return null
          const h = (p.requests / max) * (H - 2)
          const bad = Math.min(p.requests, p.errors + p.rateLimited)
          const hb = (bad / max) * (H - 2)
          const x = i * step + step * 0.15
          return (
            <g key={p.t}>
              <rect className='chart__bar' x={x} y={H - h} width={step * 0.7} height={h} />
              {bad > 0 && <rect className='chart__bar chart__bar--bad' x={x} y={H - hb} width={step * 0.7} height={hb} />}
            </g>
          )
        })}
      </svg>
      <div className='chart__axis' aria-hidden='true'><span>{minutesAgo(points)}</span><span>now</span></div>
    </figure>
  )
}

/** p95 latency per bucket as a line; buckets without traffic break the line. */
export function LatencyChart ({ points, label }: ChartProps) {
  const values = points.map((p) => p.p95Ms)
  const max = Math.max(1, ...values.filter((v): v is number => v !== null))
  const step = W / points.length
  // Runs of consecutive buckets with traffic; a lone point becomes a short dash so it stays visible.
  const runs: Array<Array<[number, number]>> = [[]]
  values.forEach((v, i) => {
    if (v === null) { runs.push([]); return }
    runs.at(-1)!.push([(i + 0.5) * step, H - (v / max) * (H - 3) - 1])
  })
  const segments = runs.filter((r) => r.length > 0).map((r) => {
    const pts = r.length === 1 ? [[r[0]![0] - step * 0.35, r[0]![1]], [r[0]![0] + step * 0.35, r[0]![1]]] : r
    return pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x!.toFixed(2)},${y!.toFixed(2)}`).join(' ')
  })
  const hasData = segments.length > 0
  return (
    <figure className='chart'>
      <figcaption className='chart__caption'><span>{label}</span><span className='muted'>max {hasData ? formatMs(max) : '—'}</span></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio='none' role='img' aria-label={hasData ? `${label}: highest ${formatMs(max)}` : `${label}: no traffic`}>
        <line className='chart__base' x1='0' x2={W} y1={H - 0.25} y2={H - 0.25} />
        {segments.map((d) => <path key={d} className='chart__line' d={d} vectorEffect='non-scaling-stroke' />)}
      </svg>
      <div className='chart__axis' aria-hidden='true'><span>{minutesAgo(points)}</span><span>now</span></div>
    </figure>
  )
}

function minutesAgo (points: SeriesPoint[]): string {
  const seconds = points.length * 10
  return seconds >= 120 ? `−${Math.round(seconds / 60)} min` : `−${seconds} s`
}
