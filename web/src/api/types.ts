// The gateway's answers as the page uses them: the client's types (generated from the gateway's
// schemas, so they cannot drift), named for the page, and what the page adds.
import type { ClassifyAnswer, Model, OpsSummary, Prediction } from '@modelgate/client'

export type { OpsSummary, Prediction }
export type ModelInfo = Model
export type ModelOps = OpsSummary['models'][number]
export type Replica = ModelOps['stable']['replicas'][number]
export type SeriesPoint = ModelOps['series'][number]
export type Timing = ClassifyAnswer['timing']

export type PredictResult = ClassifyAnswer & {
  /** Time from sending the request to reading the answer, measured in the browser. */
  roundTripMs: number
}

/** What to classify: a file (dropped, picked or pasted) or an image URL the service fetches. */
export type ImageSource = { kind: 'file', file: Blob, name: string } | { kind: 'url', url: string }
