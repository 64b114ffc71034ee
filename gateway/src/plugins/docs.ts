import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

export interface DocsOptions {
  version: string
}

/** /openapi.json and the /docs page, generated from the route schemas (register before the routes). */
export const docs = fp<DocsOptions>(async function docs (app, opts) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Modelgate API',
        version: opts.version,
        description: 'Image classification behind one gateway. Errors are application/problem+json (RFC 9457) with a stable `code`; see docs/errors.md.'
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (mg_…) as a Bearer token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }
        }
      },
      tags: [
        { name: 'predict', description: 'Classify images' },
        { name: 'models', description: 'The model catalogue (public)' },
        { name: 'health', description: 'Liveness and readiness' }
      ]
    }
  })
  // The kit's health routes carry no schema; give them a place in the docs.
  app.addHook('onRoute', (route) => {
    if (route.url === '/healthz' || route.url === '/readyz') {
      route.schema = { tags: ['health'], summary: route.url === '/healthz' ? 'The process is alive' : 'The gateway can serve (configuration loaded, key store answers)', ...route.schema }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'docs', fastify: '5.x' })
