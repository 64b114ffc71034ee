import { useEffect, useRef, useState } from 'react'
import type { Modelgate } from '@modelgate/client'
import type { ImageSource } from '../api/types.ts'
import { ErrorNotice } from '../components/error-notice.tsx'
import { effectiveModel, loadChosenModel, saveChosenModel } from './chosen-model.ts'
import { CompareView } from './compare-view.tsx'
import { ImageInput } from './image-input.tsx'
import { ImagePreview } from './image-preview.tsx'
import { ModelPicker } from './model-picker.tsx'
import { ResultCard } from './result-card.tsx'
import { announce } from './announce.ts'
import { useModels } from './use-models.ts'
import { useRuns } from './use-runs.ts'

type Mode = 'single' | 'compare'

export function ClassifyPage ({ client }: { client: Modelgate }) {
  const { models, error: modelsError } = useModels(client)
  const [sessionError, setSessionError] = useState<unknown>()
  const [stored, setStored] = useState(loadChosenModel)
  const [image, setImage] = useState<ImageSource | undefined>()
  const [mode, setMode] = useState<Mode>('single')
  const { runs, start, clear } = useRuns(client)
  const resultsRef = useRef<HTMLElement>(null)

  useEffect(() => {
    client.startSession().then(() => setSessionError(undefined), setSessionError)
  }, [client])

  const chosen = models === undefined ? undefined : effectiveModel(models, stored)
  const readyIds = (models ?? []).filter((m) => m.status === 'ready').map((m) => m.id)

  // Asked for on each run, done after the render that shows the run (the page is long enough then).
  const [scrollRequest, setScrollRequest] = useState(0)
  useEffect(() => {
    // On a phone the results sit below the inputs: bring them into view.
    if (scrollRequest === 0 || !window.matchMedia('(max-width: 56rem)').matches) return
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches
    resultsRef.current?.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' })
  }, [scrollRequest])

  const run = (img: ImageSource, ids: string[]): void => {
    if (ids.length === 0) return
    start(img, ids)
    setScrollRequest((n) => n + 1)
  }

  const choose = (id: string): void => {
    saveChosenModel(id)
    setStored(id)
    setMode('single')
    if (image !== undefined) run(image, [id])
  }

  const giveImage = (img: ImageSource): void => {
    setImage(img)
    run(img, mode === 'compare' ? readyIds : chosen === undefined ? [] : [chosen.id])
  }

  const switchMode = (next: Mode): void => {
    setMode(next)
    if (image === undefined) return
    run(image, next === 'compare' ? readyIds : chosen === undefined ? [] : [chosen.id])
  }

  const clearImage = (): void => { setImage(undefined); clear() }
  const status = announce(runs, models ?? [])

  return (
    <>
      <div className='intro'>
        <h1>Classify an image</h1>
        <p className='lede'>Pick a model, give it a photo, and see what it thinks — or run every model at once and compare their answers and speed.</p>
      </div>
      {sessionError !== undefined && <ErrorNotice error={sessionError} headline='Could not start a session with the gateway.' />}
      <div className={`classify-layout classify-layout--${mode}`}>
        <div className='classify-layout__inputs'>
          <ModelPicker models={models} error={modelsError} chosenId={chosen?.id} onChoose={choose} />
          <ImageInput onImage={giveImage} disabled={readyIds.length === 0} />
        </div>
        <section className='panel results' ref={resultsRef} aria-labelledby='results-title'>
          <div className='results__head'>
            <h2 className='panel__title' id='results-title'><span className='step' aria-hidden='true'>3</span>Results</h2>
            <div className='segmented' role='group' aria-label='How many models'>
              <button type='button' aria-pressed={mode === 'single'} onClick={() => switchMode('single')}>
                One model
              </button>
              <button type='button' aria-pressed={mode === 'compare'} onClick={() => switchMode('compare')} disabled={readyIds.length < 2}>
                Compare all
              </button>
            </div>
          </div>
          <p className='visually-hidden' role='status'>{status}</p>
          {image === undefined
            ? <EmptyResults compare={mode === 'compare'} />
            : (
              <div className={`results__body results__body--${mode}`}>
                <ImagePreview image={image} onClear={clearImage} />
                {mode === 'compare'
                  ? <CompareView runs={runs} models={models ?? []} />
                  : runs.map(([id, r]) => <ResultCard key={id} modelId={id} model={models?.find((m) => m.id === id)} run={r} />)}
              </div>
              )}
        </section>
      </div>
    </>
  )
}

function EmptyResults ({ compare }: { compare: boolean }) {
  return (
    <div className='empty'>
      <svg viewBox='0 0 64 64' aria-hidden='true'>
        <rect x='8' y='14' width='48' height='8' rx='4' />
        <rect x='8' y='28' width='32' height='8' rx='4' />
        <rect x='8' y='42' width='20' height='8' rx='4' />
      </svg>
      <p>{compare ? 'Give an image to see every model\'s answer side by side.' : 'Give an image to see the five most likely classes.'}</p>
    </div>
  )
}
