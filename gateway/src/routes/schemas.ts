import { PROBLEM_CONTENT_TYPE } from '@modelgate/server-kit'
import Type, { type Static, type TSchema } from 'typebox'

export const ProblemSchema = Type.Object({
  type: Type.String({ format: 'uri' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'stable error code, listed in docs/errors.md' }),
  requestId: Type.Optional(Type.String()),
  knownModels: Type.Optional(Type.Array(Type.String(), { description: 'on MODEL_NOT_FOUND' })),
  knownVersions: Type.Optional(Type.Array(Type.String(), { description: 'on MODEL_VERSION_NOT_FOUND' })),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { description: 'on BODY_INVALID' }))
}, { additionalProperties: true, description: 'RFC 9457 problem details' })

/** OpenAPI `security` of a route: public, or a credential (an API key, a session or provider token). */
export const PUBLIC: Array<Record<string, string[]>> = []
export const CREDENTIAL: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }]

/** A response entry of a problem, for route schemas and so for /openapi.json. */
export function problem (description: string): { description: string, content: Record<string, { schema: TSchema }> } {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } }
}

export const ModelIdParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'model id, as listed by GET /models' })
})

export const ModelSchema = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String({ description: 'absent until a replica has answered once' })),
  version: Type.String(),
  classes: Type.Optional(Type.Integer({ description: 'number of classes; absent until a replica has answered once' })),
  input: Type.Optional(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
  status: Type.Union([Type.Literal('ready'), Type.Literal('down')])
})
export type Model = Static<typeof ModelSchema>

export const ModelListSchema = Type.Object({ models: Type.Array(ModelSchema) })

export const PredictJsonBodySchema = Type.Object({
  url: Type.Optional(Type.String({ maxLength: 2048, description: 'http(s) URL of the image (the service fetches it)' })),
  image: Type.Optional(Type.String({ description: 'the image file in base64 (a data: URL prefix is allowed)' })),
  topk: Type.Optional(Type.Integer({ minimum: 1, description: 'how many classes to return' }))
}, { additionalProperties: false, description: 'exactly one of url and image' })

export const PredictQuerySchema = Type.Object({
  topk: Type.Optional(Type.Integer({ minimum: 1, description: 'how many classes to return (default 5)' }))
})

export const PredictResponseSchema = Type.Object({
  model: Type.Object({ id: Type.String(), name: Type.String(), version: Type.String() }),
  predictions: Type.Array(Type.Object({ label: Type.String(), index: Type.Integer(), probability: Type.Number() })),
  timing: Type.Record(Type.String(), Type.Number(), { description: 'milliseconds per stage, measured by the service' })
})

/** The proxied route's schema: for the docs only, since the body is streamed to the service unparsed. */
export const predictSchema = {
  operationId: 'classify',
  summary: 'Classify an image',
  description: 'Forwarded as is to the model\'s service. The body is one of: JSON `{"url"}` or `{"image": base64}`, ' +
    'a raw `image/*` body, or multipart/form-data with a file field `image`. The service\'s own problems ' +
    '(IMAGE_*, BODY_INVALID, MODEL_NOT_READY, OVERLOADED) pass through unchanged.',
  tags: ['predict'],
  security: CREDENTIAL,
  params: ModelIdParamsSchema,
  querystring: PredictQuerySchema,
  headers: Type.Object({
    'x-model-version': Type.Optional(Type.String({ description: 'pin this version of the model (the stable or the canary one); the response\'s x-model-version says which answered' }))
  }),
  body: {
    content: {
      'application/json': { schema: PredictJsonBodySchema },
      'image/*': { schema: { type: 'string', format: 'binary' } },
      'multipart/form-data': { schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, required: ['image'] } }
    }
  },
  response: {
    200: { description: 'top-k classes', content: { 'application/json': { schema: PredictResponseSchema } } },
    400: problem('BODY_INVALID or IMAGE_MISSING (from the service)'),
    401: problem('AUTH_REQUIRED or AUTH_INVALID'),
    403: problem('FORBIDDEN_MODEL, or IMAGE_URL_FORBIDDEN (from the service)'),
    404: problem('MODEL_NOT_FOUND, with knownModels; MODEL_VERSION_NOT_FOUND, with knownVersions'),
    413: problem('PAYLOAD_TOO_LARGE (gateway limit) or IMAGE_TOO_LARGE (service)'),
    415: problem('IMAGE_UNSUPPORTED_TYPE (from the service)'),
    422: problem('IMAGE_UNDECODABLE (from the service)'),
    429: problem('RATE_LIMITED: over this credential\'s or this model\'s limit; Retry-After'),
    502: problem('UPSTREAM_FAILED, or IMAGE_URL_FAILED (from the service)'),
    503: problem('MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), AUTH_UNAVAILABLE, or MODEL_NOT_READY / OVERLOADED (service); with Retry-After'),
    504: problem('UPSTREAM_TIMEOUT, or IMAGE_URL_TIMEOUT (from the service)')
  }
}
