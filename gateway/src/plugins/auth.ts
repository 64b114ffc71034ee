import { isProblemError } from '@modelgate/server-kit'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { Authenticator, Credential, Principal } from '../auth/principal.ts'
import { AdminRequired, AuthInvalid, AuthRequired, AuthUnavailable } from '../errors.ts'

export interface AuthOptions {
  /** Asked in order; the first that accepts a credential decides. */
  authenticators: Authenticator[]
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `app.authenticate`; null on public routes. */
    principal: Principal | null
  }
  interface FastifyInstance {
    /** onRequest hook: a valid credential sets request.principal; otherwise 401 with WWW-Authenticate. */
    authenticate: onRequestHookHandler
    /** onRequest hook to add after `authenticate`: only admin principals pass. */
    requireAdmin: onRequestHookHandler
  }
}

const REALM = 'modelgate'
// Far above any key or reasonable JWT; refuses absurd headers before any parsing or hashing.
const MAX_TOKEN_CHARS = 8192

/** The credential in the headers, if any: `Authorization: Bearer <token>` or `x-api-key: <token>`. */
export function credentialFrom (headers: FastifyRequest['headers']): Credential | undefined {
  const authorization = headers.authorization
  const apiKey = headers['x-api-key']
  let bearer: string | undefined
  if (authorization !== undefined && authorization !== '') {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization)
    if (match?.[1] === undefined) throw new AuthInvalid('The Authorization header must be "Bearer <key or token>".')
    bearer = match[1]
  }
  if (Array.isArray(apiKey)) throw new AuthInvalid('Send one x-api-key header.')
  const key = apiKey === undefined || apiKey === '' ? undefined : apiKey.trim()
  if (bearer !== undefined && key !== undefined && bearer !== key) {
    throw new AuthInvalid('Authorization and x-api-key carry different credentials; send one.')
  }
  const credential: Credential | undefined = bearer !== undefined
    ? { source: 'bearer', token: bearer }
    : key === undefined ? undefined : { source: 'x-api-key', token: key }
  if (credential !== undefined && credential.token.length > MAX_TOKEN_CHARS) throw new AuthInvalid('The credential is too long.')
  return credential
}

function challenge (code: string): string {
  return code === 'AUTH_REQUIRED' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`
}

/** Decorates request.principal and provides the `authenticate` and `requireAdmin` hooks for scopes that need them. */
export const auth = fp<AuthOptions>(async function auth (app, opts) {
  app.decorateRequest('principal', null)

  /** The refusal an authenticator's failure is answered with: its own 401 problem, or 503 when it could not tell. */
  function refusal (request: FastifyRequest, reply: FastifyReply, err: unknown): Error {
    if (!isProblemError(err)) {
      request.log.error({ err }, 'credential check failed')
      return new AuthUnavailable('The key store does not answer; try again shortly.', { headers: { 'retry-after': '1' } })
    }
    if (err.status === 401) reply.header('www-authenticate', challenge(err.code))
    return err
  }

  function authenticatorFor (credential: Credential): Authenticator | undefined {
    for (const authenticator of opts.authenticators) if (authenticator.accepts(credential)) return authenticator
    return undefined
  }

  function accept (request: FastifyRequest, principal: Principal): void {
    request.principal = principal
    request.logFields.principal = { type: principal.type, id: principal.id }
  }

  // Callback-style: a cached key is accepted without a promise or a microtask, the common case under load.
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    let found: Principal | Promise<Principal>
    try {
      const credential = credentialFrom(request.headers)
      if (credential === undefined) {
        throw new AuthRequired('Send an API key as "Authorization: Bearer <key>" or "x-api-key: <key>".')
      }
      const authenticator = authenticatorFor(credential)
      if (authenticator === undefined) throw new AuthInvalid('The credential is not a key or token this gateway accepts.')
      found = authenticator.authenticate(credential)
    } catch (err) {
      done(refusal(request, reply, err))
      return
    }
    if (!(found instanceof Promise)) {
      accept(request, found)
      done()
      return
    }
    found.then((principal) => {
      accept(request, principal)
      done()
    }, (err: unknown) => { done(refusal(request, reply, err)) })
  }

  async function requireAdmin (request: FastifyRequest): Promise<void> {
    if (request.principal?.admin !== true) throw new AdminRequired('This route needs an admin key.')
  }

  app.decorate('authenticate', authenticate)
  app.decorate('requireAdmin', requireAdmin)
}, { name: 'auth', fastify: '5.x', dependencies: ['access-log', 'error-handler'] })
