import Type, { type Static } from 'typebox'

export const PredictBodySchema = Type.Object({
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL of the image' })),
  image: Type.Optional(Type.String({ minLength: 1, description: 'the image file, base64 (a data: URL prefix is allowed)' })),
  topk: Type.Optional(Type.Integer({ minimum: 1, description: 'how many classes to return' }))
}, { additionalProperties: false })
export type PredictBody = Static<typeof PredictBodySchema>

export const PredictQuerySchema = Type.Object({
  topk: Type.Optional(Type.Integer({ minimum: 1 }))
})

export const PredictionSchema = Type.Object({
  label: Type.String(),
  index: Type.Integer(),
  probability: Type.Number()
})

export const PredictResponseSchema = Type.Object({
  model: Type.Object({ id: Type.String(), name: Type.String(), version: Type.String() }),
  predictions: Type.Array(PredictionSchema),
  timing: Type.Object({
    fetchMs: Type.Number(),
    decodeMs: Type.Number(),
    preprocessMs: Type.Number(),
    queueMs: Type.Number(),
    inferenceMs: Type.Number(),
    totalMs: Type.Number()
  })
})
export type PredictResponse = Static<typeof PredictResponseSchema>

export const MetadataSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  sha256: Type.String(),
  classes: Type.Integer(),
  labels: Type.Array(Type.String()),
  input: Type.Object({
    name: Type.String(),
    layout: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    resize: Type.Object({ shorterSide: Type.Integer(), crop: Type.String() }),
    scale: Type.Number(),
    mean: Type.Array(Type.Number()),
    std: Type.Array(Type.Number())
  }),
  output: Type.Object({ name: Type.String(), activation: Type.String() }),
  batch: Type.Object({ maxSize: Type.Integer(), maxWaitMs: Type.Number() }),
  source: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})
