// The Open Inference Protocol (KServe V2) through the gateway, so KServe, Triton and MLServer clients
// work unchanged: the health and server metadata routes are the gateway's own (no credential);
// everything under /v2/models/{model} goes to a replica of the model with predict's keys, scopes,
// limits, logs and canaries, `/versions/{version}` pinning a version as x-model-version does.
// Errors are the spec's `{"error"}` (400, or 404 for an unknown model or version) with the platform's
// code; the gateway's own refusals (401, 403, 429, 5xx) stay problem+json, as on every route.
import { type App, type ProblemError, commonProblems, useV2Errors } from '@modelgate/server-kit'
import type { FastifySchema } from 'fastify'
import Type from 'typebox'
import { type ModelProxyOptions, modelProxy } from './model-proxy.ts'
import { V2_MODEL_PREFIX } from './model-routes.ts'
import { CREDENTIAL, PUBLIC, problem } from './schemas.ts'

export interface V2RouteOptions extends ModelProxyOptions {
  version: string
  isReady: () => Promise<boolean>
}

/** The extensions the model services implement (Triton's names). */
const EXTENSIONS = ['classification', 'binary_tensor_data']

const keepProblem = (p: ProblemError): boolean => p.status === 401 || p.status === 403 || p.status === 429 || p.status >= 500

const V2ErrorSchema = Type.Object({
  error: Type.String(),
  code: Type.String({ description: 'the platform\'s code (docs/errors.md)' })
}, { description: 'the Open Inference Protocol\'s error object, with the platform\'s code' })
const v2Error = (description: string): Record<string, unknown> => ({ description, content: { 'application/json': { schema: V2ErrorSchema } } })

const TensorSchema = Type.Object({
  name: Type.String(),
  datatype: Type.String({ description: 'FP32, or BYTES (base64 images in, classification strings out)' }),
  shape: Type.Array(Type.Integer()),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  data: Type.Optional(Type.Array(Type.Unknown(), { description: 'row-major; nested arrays allowed. Absent when the tensor is binary (binary_data_size)' }))
})
const InferRequestSchema = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  inputs: Type.Array(TensorSchema),
  outputs: Type.Optional(Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))) })))
})
const InferResponseSchema = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.Optional(Type.String()),
  outputs: Type.Array(TensorSchema)
})
const ModelMetadataSchema = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(Type.Object({ name: Type.String(), datatype: Type.String(), shape: Type.Array(Type.Integer()) })),
  outputs: Type.Array(Type.Object({ name: Type.String(), datatype: Type.String(), shape: Type.Array(Type.Integer()) }))
})
const ModelParam = Type.String({ description: 'model id, as listed by GET /models' })
const ModelParamsSchema = Type.Object({ model: ModelParam })
const ModelVersionParamsSchema = Type.Object({ model: ModelParam, version: Type.String({ description: 'pin this version (as x-model-version does)' }) })

const modelResponses = {
  400: v2Error('the request is invalid (BODY_INVALID, IMAGE_*), with the platform\'s code'),
  401: problem('AUTH_REQUIRED or AUTH_INVALID'),
  403: problem('FORBIDDEN_MODEL'),
  404: v2Error('MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND'),
  429: problem('RATE_LIMITED; Retry-After'),
  503: problem('MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service\'s MODEL_NOT_READY / OVERLOADED; Retry-After')
}

/** The OpenAPI description of each proxied route. */
function modelRouteSchema (url: string): FastifySchema {
  const versioned = url.includes('/versions/')
  const base = { tags: ['v2'], security: CREDENTIAL, params: versioned ? ModelVersionParamsSchema : ModelParamsSchema }
  if (url.endsWith('/infer')) {
    return {
      ...base,
      operationId: versioned ? 'v2InferVersion' : 'v2Infer',
      summary: `Inference (Open Inference Protocol)${versioned ? ', on one version' : ''}`,
      description: 'A FP32 tensor [N, 3, H, W] as the model\'s metadata says (JSON, or binary after the JSON with Inference-Header-Content-Length), ' +
        'or BYTES [N] base64 images with parameters.content_type "base64". Outputs: probabilities, or with parameters.classification k, Triton\'s "<probability>:<index>:<label>" strings.',
      body: { content: { 'application/json': { schema: InferRequestSchema }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      response: {
        200: { description: 'the inference response (binary outputs after the JSON when asked for)', content: { 'application/json': { schema: InferResponseSchema }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        ...modelResponses
      }
    } as FastifySchema
  }
  if (url.endsWith('/ready')) {
    return {
      ...base,
      operationId: versioned ? 'v2ModelVersionReady' : 'v2ModelReady',
      summary: 'Whether the model can serve',
      response: { 200: { description: '{"name", "ready": true}', content: { 'application/json': { schema: Type.Object({ name: Type.String(), ready: Type.Boolean() }) } } }, ...modelResponses }
    } as FastifySchema
  }
  return {
    ...base,
    operationId: versioned ? 'v2ModelVersionMetadata' : 'v2ModelMetadata',
    summary: 'The model\'s inputs and outputs (Open Inference Protocol metadata)',
    response: { 200: { description: 'name, versions, platform, inputs, outputs', content: { 'application/json': { schema: ModelMetadataSchema } } }, ...modelResponses }
  } as FastifySchema
}

export async function v2Routes (app: App, opts: V2RouteOptions): Promise<void> {
  const { version, isReady, ...proxyOptions } = opts
  useV2Errors(app, { keepProblem })
  app.get('/v2/health/live', {
    schema: { operationId: 'v2ServerLive', summary: 'The gateway is alive (Open Inference Protocol)', tags: ['v2'], security: PUBLIC, response: { 200: Type.Object({ live: Type.Boolean() }) } }
  }, async () => ({ live: true }))
  app.get('/v2/health/ready', {
    schema: {
      operationId: 'v2ServerReady',
      summary: 'The gateway can serve (Open Inference Protocol)',
      tags: ['v2'],
      security: PUBLIC,
      response: { 200: Type.Object({ ready: Type.Boolean() }), 503: problem('SERVICE_NOT_READY: the key store does not answer; Retry-After') }
    }
  }, async () => {
    if (!await isReady()) throw new commonProblems.ServiceNotReady('The key store does not answer.', { headers: { 'retry-after': '1' } })
    return { ready: true }
  })
  app.get('/v2', {
    schema: {
      operationId: 'v2ServerMetadata',
      summary: 'Server metadata and the supported extensions (Open Inference Protocol)',
      tags: ['v2'],
      security: PUBLIC,
      response: {
        200: Type.Object({ name: Type.String(), version: Type.String(), extensions: Type.Array(Type.String()) }),
        429: problem('RATE_LIMITED: over the limit for callers without a credential (per address); Retry-After')
      }
    }
  }, async () => ({ name: 'modelgate', version, extensions: EXTENSIONS }))

  // Two scopes, so that each route answers only its own method: GET for metadata and readiness, POST to infer.
  const proxied = { prefix: V2_MODEL_PREFIX, param: 'model', rewritePrefix: V2_MODEL_PREFIX, schema: modelRouteSchema } as const
  await app.register(async (scope) => {
    useV2Errors(scope, { keepProblem })
    await modelProxy(scope, { ...proxied, routes: ['', '/ready', '/versions/:version', '/versions/:version/ready'], httpMethods: ['GET'] }, proxyOptions)
  })
  await app.register(async (scope) => {
    useV2Errors(scope, { keepProblem })
    await modelProxy(scope, { ...proxied, routes: ['/infer', '/versions/:version/infer'], httpMethods: ['POST'] }, proxyOptions)
  })
}
