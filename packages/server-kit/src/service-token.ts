// The service credential: a secret the gateway sends to the model services on every call, so that
// only the gateway may call them (docs/security.md). SERVICE_TOKEN, or a file SERVICE_TOKEN_FILE,
// holds one token or, during a rotation, several separated by commas: a service accepts each, the
// gateway sends the first.
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fp from 'fastify-plugin'
import Type from 'typebox'
import { ConfigError } from './config.ts'
import { ServiceAuthRequired } from './errors.ts'

/** The two settings, for a process's config schema. */
export const ServiceTokenSettings = {
  /** One token, or several separated by commas (a rotation); each at least 32 bytes. */
  SERVICE_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  /** A file holding SERVICE_TOKEN's value (a Kubernetes or compose secret). */
  SERVICE_TOKEN_FILE: Type.Optional(Type.String({ minLength: 1 }))
}

const MIN_BYTES = 32

/** The configured tokens, the one to send first; [] when neither setting is given. */
export function readServiceTokens (config: { SERVICE_TOKEN?: string, SERVICE_TOKEN_FILE?: string }): string[] {
  if (config.SERVICE_TOKEN !== undefined && config.SERVICE_TOKEN_FILE !== undefined) {
    throw new ConfigError('Set SERVICE_TOKEN or SERVICE_TOKEN_FILE, not both.')
  }
  let value = config.SERVICE_TOKEN
  let source = 'SERVICE_TOKEN'
  if (config.SERVICE_TOKEN_FILE !== undefined) {
    source = `SERVICE_TOKEN_FILE (${config.SERVICE_TOKEN_FILE})`
    try {
      value = readFileSync(config.SERVICE_TOKEN_FILE, 'utf8')
    } catch (err) {
      throw new ConfigError(`${source} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  if (value === undefined) return []
  const tokens = value.split(',').map((token) => token.trim())
  // Which one is short or empty, by position: never the token itself.
  tokens.forEach((token, i) => {
    if (Buffer.byteLength(token) < MIN_BYTES) {
      throw new ConfigError(`${source}: token ${i + 1} of ${tokens.length} has ${Buffer.byteLength(token)} bytes; a service token needs at least ${MIN_BYTES} (e.g. openssl rand -hex 32).`)
    }
  })
  return tokens
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** Whether `presented` is one of `digests`, in time that depends on neither. */
function matchesAny (presented: string, digests: Buffer[]): boolean {
  const candidate = digest(presented)
  let match = false
  for (const known of digests) match = timingSafeEqual(candidate, known) || match
  return match
}

export interface ServiceAuthOptions {
  tokens: string[]
  /** Paths that need no token: the probes. */
  open: string[]
}

/**
 * Refuses every request but those to `open` paths without `Authorization: Bearer <one of tokens>`:
 * 401 SERVICE_AUTH_REQUIRED. Only digests of the tokens are kept.
 */
export const serviceAuth = fp<ServiceAuthOptions>(async function serviceAuth (app, opts) {
  const digests = opts.tokens.map(digest)
  const open = new Set(opts.open)
  app.addHook('onRequest', function checkServiceToken (request, reply, done) {
    const query = request.url.indexOf('?')
    if (open.has(query === -1 ? request.url : request.url.slice(0, query))) {
      done()
      return
    }
    const header = request.headers.authorization
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    if (token !== '' && matchesAny(token, digests)) {
      done()
      return
    }
    reply.header('www-authenticate', 'Bearer realm="modelgate-service"')
      .sendProblem(new ServiceAuthRequired('Only the gateway may call this service: send its service token as Authorization: Bearer.'))
  })
}, { name: 'service-auth', fastify: '5.x', dependencies: ['error-handler'] })
