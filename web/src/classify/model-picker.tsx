import type { ModelInfo } from '../api/types.ts'
import { ErrorNotice } from '../components/error-notice.tsx'

interface ModelPickerProps {
  models: ModelInfo[] | undefined
  error: unknown
  chosenId: string | undefined
  onChoose: (id: string) => void
}

export function ModelPicker ({ models, error, chosenId, onChoose }: ModelPickerProps) {
  return (
    <fieldset className='panel model-picker'>
      <legend className='panel__title'><span className='step' aria-hidden='true'>1</span>Choose a model</legend>
      {models === undefined && error === undefined && <ModelSkeleton />}
      {error !== undefined && <ErrorNotice error={error} compact />}
      {models?.length === 0 && <p className='muted'>The gateway serves no model yet.</p>}
      {models !== undefined && models.length > 0 && (
        <div className='model-list'>
          {models.map((m) => <ModelOption key={m.id} model={m} checked={m.id === chosenId} onChoose={onChoose} />)}
        </div>
      )}
    </fieldset>
  )
}

function ModelOption ({ model, checked, onChoose }: { model: ModelInfo, checked: boolean, onChoose: (id: string) => void }) {
  const down = model.status !== 'ready'
  const inputId = `model-${model.id}`
  const facts = [
    model.classes === undefined ? undefined : `${model.classes.toLocaleString('en')} classes`,
    model.input === undefined ? undefined : `${model.input.width}×${model.input.height} input`
  ].filter(Boolean).join(' · ')
  return (
    <div className={`model-option${down ? ' model-option--down' : ''}`}>
      <input
        type='radio' name='model' id={inputId} value={model.id} checked={checked} disabled={down}
        onChange={() => onChoose(model.id)} aria-describedby={`${inputId}-facts`}
      />
      <label htmlFor={inputId}>
        <span className='model-option__head'>
          <span className='model-option__name'>{model.name ?? model.id}</span>
          <span className={`pill ${down ? 'pill--down' : 'pill--ready'}`}>{down ? 'Down' : 'Ready'}</span>
        </span>
        <span className='model-option__facts' id={`${inputId}-facts`}>
          <code>{model.id}</code> v{model.version}{facts === '' ? '' : ` · ${facts}`}{down ? ' · unavailable, cannot be picked' : ''}
        </span>
      </label>
    </div>
  )
}

function ModelSkeleton () {
  return (
    <div className='model-list' aria-busy='true' aria-label='Loading models'>
      {[0, 1, 2].map((i) => <div key={i} className='skeleton skeleton--option' />)}
    </div>
  )
}
