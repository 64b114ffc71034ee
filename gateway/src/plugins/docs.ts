import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import Type from 'typebox'
import { CREDENTIAL, PUBLIC, problem } from '../routes/schemas.ts'

export interface DocsOptions {
  version: string
}

/**
 * What the docs say of the routes the server kit adds without a schema: operationId (SDK generators
 * name methods from it), summary, security and the problems they answer.
 */
const status = (value: string): Record<string, unknown> => ({
  description: `{"status": "${value}"}`,
  content: { 'application/json': { schema: Type.Object({ status: Type.Literal(value) }) } }
})
const KIT_ROUTES: Record<string, Record<string, unknown>> = {
  '/healthz': { operationId: 'getHealth', tags: ['health'], summary: 'The process is alive', security: PUBLIC, response: { 200: status('ok') } },
  '/readyz': {
    operationId: 'getReadiness',
    tags: ['health'],
    summary: 'The gateway can serve (configuration loaded, key store answers)',
    security: PUBLIC,
    response: { 200: status('ready'), 503: problem('SERVICE_NOT_READY: the key store does not answer; Retry-After') }
  },
  '/metrics': {
    operationId: 'getMetrics',
    tags: ['ops'],
    summary: 'Prometheus metrics of this gateway process (admin)',
    security: CREDENTIAL,
    response: {
      200: { description: 'the Prometheus text format', content: { 'text/plain': { schema: Type.String() } } },
      401: problem('AUTH_REQUIRED or AUTH_INVALID'),
      403: problem('ADMIN_REQUIRED')
    }
  }
}

/** /openapi.json and the /docs page, generated from the route schemas (register before the routes). */
export const docs = fp<DocsOptions>(async function docs (app, opts) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Modelgate API',
        version: opts.version,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description: 'Image classification behind one gateway. Errors are application/problem+json (RFC 9457) with a stable `code`; see docs/errors.md.'
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (mg_…), browser session or identity-provider token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }
        }
      },
      tags: [
        { name: 'predict', description: 'Classify images' },
        { name: 'v2', description: 'The Open Inference Protocol (KServe V2), as KServe, Triton and MLServer clients speak it' },
        { name: 'models', description: 'The model catalogue (public)' },
        { name: 'auth', description: 'Browser sessions' },
        { name: 'ops', description: 'Operators: metrics and traffic (admin keys)' },
        { name: 'health', description: 'Liveness and readiness' }
      ]
    }
  })
  app.addHook('onRoute', (route) => {
    const kit = KIT_ROUTES[route.url]
    if (kit !== undefined && route.method === 'GET') route.schema = { ...kit, ...route.schema }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  // `servers`: this gateway as the client reached it (behind a proxy with TRUST_PROXY, the proxy's
  // scheme and host), so a client generated from the document calls the right address.
  app.get('/openapi.json', { schema: { hide: true } }, async (request) => ({
    ...app.swagger(),
    servers: [{ url: `${request.protocol}://${request.host}` }]
  }))
}, { name: 'docs', fastify: '5.x' })
