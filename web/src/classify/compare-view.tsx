import type { ModelInfo, PredictResult } from '../api/types.ts'
import { summarizeComparison } from './compare-summary.ts'
import { ResultCard } from './result-card.tsx'
import type { Run } from './use-runs.ts'

interface CompareViewProps {
  runs: Array<[string, Run]>
  models: ModelInfo[]
}

/** Every model's answer to the same image, side by side. */
export function CompareView ({ runs, models }: CompareViewProps) {
  const answers = runs.flatMap(([id, run]): Array<[string, PredictResult]> => run.status === 'done' ? [[id, run.result]] : [])
  const pending = runs.some(([, run]) => run.status === 'loading')
  const summary = summarizeComparison(answers)
  const nameOf = (id: string): string => models.find((m) => m.id === id)?.name ?? id
  const agreeing = summary.agreement.filter((g) => g.modelIds.length > 1)

  return (
    <div className='compare'>
      {!pending && answers.length > 1 && (
        <div className='compare__summary'>
          {agreeing.map((g) => (
            <p key={g.label}>
              <strong>{g.modelIds.map(nameOf).join(' and ')}</strong> agree: <strong className='accent'>{g.label}</strong>
            </p>
          ))}
          {agreeing.length === 0 && <p>No two models agree on the top class.</p>}
          {summary.fastestId !== undefined && <p>Fastest inference: <strong>{nameOf(summary.fastestId)}</strong></p>}
        </div>
      )}
      <div className='compare__grid'>
        {runs.map(([id, run]) => {
          const badges = []
          if (!pending && id === summary.fastestId) badges.push('Fastest')
          return <ResultCard key={id} modelId={id} model={models.find((m) => m.id === id)} run={run} badges={badges} />
        })}
      </div>
    </div>
  )
}
