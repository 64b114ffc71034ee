// @modelgate/client: the Modelgate API from Node 20+ and browsers, with nothing but fetch.
//   const mg = new Modelgate({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.MODELGATE_API_KEY })
//   const answer = await mg.classify('resnet', 'cat.jpg', { topk: 3 })
// Every failure is a ModelgateError with the platform's code; 429, 503 and network failures are
// retried (Retry-After honoured) up to maxRetries. docs/client.md documents every option.
import { ClientCodes, ModelgateError, clientError, errorFromResponse } from './errors.ts'
import { type ImageInput, requestBody } from './input.ts'
import type { operations } from './openapi.ts'

export { ClientCodes, ModelgateError, type Problem, parseRetryAfter } from './errors.ts'
export type { ImageInput } from './input.ts'

type Json<Op extends keyof operations> = operations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } } ? T : never
/** The predict answer, exactly as the gateway relays it. */
export type ClassifyAnswer = Json<'classify'>
export type Prediction = ClassifyAnswer['predictions'][number]
export type ModelList = Json<'listModels'>
export type Model = Json<'getModel'>
export type OpsSummary = Json<'getOpsSummary'>

export interface ModelgateOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (a path prefix is kept). */
  baseUrl: string
  /** An API key (mg_…), sent as `Authorization: Bearer`. */
  apiKey?: string
  /** Without a key (a browser page): mint an anonymous session token and renew it before it expires. */
  session?: boolean
  /** Retries of a 429, a 503 or a network failure; 0 turns retries off. Default 2. */
  maxRetries?: number
  /** Longest wait for one attempt's answer, in ms; then TIMEOUT. Default 60 000. */
  timeoutMs?: number
  /** Another fetch (a proxy-aware one, say). */
  fetch?: typeof fetch
}

export interface CallOptions {
  /** Aborts the call at once: during a request or a wait between retries (code ABORTED). */
  signal?: AbortSignal
  timeoutMs?: number
}

export interface ClassifyOptions extends CallOptions {
  /** How many classes to return (default 5). */
  topk?: number
  /** Pin a version of the model (x-model-version); else the gateway routes (stable or canary). */
  version?: string
}

const RETRIED_STATUS = new Set([429, 503])
const SESSION_RENEW_CODES = new Set(['AUTH_EXPIRED', 'AUTH_INVALID'])
/** A session token is renewed this long before it expires, so no request leaves with one about to lapse. */
const RENEW_MARGIN_MS = 30_000
const BACKOFF_BASE_MS = 250
const BACKOFF_CAP_MS = 8000

interface Call {
  method: 'GET' | 'POST'
  path: string
  /** Sent with the configured credential (key or session); else with `apiKey`, or none. */
  credential: boolean
  apiKey?: string
  headers?: Record<string, string>
  body?: Uint8Array | Blob | string
}

export class Modelgate {
  readonly baseUrl: string
  readonly #apiKey: string | undefined
  readonly #useSession: boolean
  readonly #maxRetries: number
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  #session: { token: string, renewAt: number } | undefined
  #minting: Promise<string> | undefined

  constructor (opts: ModelgateOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    // An empty key (an unset variable passed on) is no key.
    this.#apiKey = opts.apiKey === '' ? undefined : opts.apiKey
    this.#useSession = opts.session === true && this.#apiKey === undefined
    this.#maxRetries = Math.max(0, Math.floor(opts.maxRetries ?? 2))
    this.#timeoutMs = opts.timeoutMs ?? 60_000
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  }

  /** POST /model/{id}/predict: the top classes of one image. */
  async classify (model: string, input: ImageInput, opts: ClassifyOptions = {}): Promise<ClassifyAnswer> {
    const { body, contentType } = await requestBody(input)
    const query = opts.topk === undefined ? '' : `?topk=${encodeURIComponent(String(opts.topk))}`
    const headers: Record<string, string> = { 'content-type': contentType, accept: 'application/json' }
    if (opts.version !== undefined) headers['x-model-version'] = opts.version
    const res = await this.#send({ method: 'POST', path: `/model/${encodeURIComponent(model)}/predict${query}`, credential: true, headers, body }, opts)
    return await json<ClassifyAnswer>(res)
  }

  /** GET /models: the catalogue, each model with its version and status. */
  async models (opts: CallOptions = {}): Promise<ModelList> {
    return await json<ModelList>(await this.#send({ method: 'GET', path: '/models', credential: false }, opts))
  }

  /** GET /models/{id}. */
  async model (id: string, opts: CallOptions = {}): Promise<Model> {
    return await json<Model>(await this.#send({ method: 'GET', path: `/models/${encodeURIComponent(id)}`, credential: false }, opts))
  }

  /** GET /ops/summary: traffic per model (an admin key: the client's, or `apiKey` for this call). */
  async opsSummary (opts: CallOptions & { apiKey?: string } = {}): Promise<OpsSummary> {
    const call: Call = opts.apiKey === undefined ? { method: 'GET', path: '/ops/summary', credential: true } : { method: 'GET', path: '/ops/summary', credential: false, apiKey: opts.apiKey }
    return await json<OpsSummary>(await this.#send(call, opts))
  }

  /** With `session`: mints the session token now, so the first classify does not wait for it. */
  async startSession (opts: CallOptions = {}): Promise<void> {
    if (this.#useSession) await this.#sessionToken(opts)
  }

  async #send (call: Call, opts: CallOptions): Promise<Response> {
    let renewed = false
    for (let attempt = 0; ; attempt++) {
      let res: Response
      try {
        res = await this.#attempt(call, opts)
      } catch (err) {
        if (err instanceof ModelgateError && err.code === ClientCodes.NETWORK && attempt < this.#maxRetries) {
          await sleep(backoffMs(attempt), opts.signal)
          continue
        }
        throw err
      }
      if (res.ok) return res
      const error = await errorFromResponse(res)
      // A gateway restarted with a new signing key, or a clock running late: one fresh session token.
      if (call.credential && this.#useSession && !renewed && SESSION_RENEW_CODES.has(error.code)) {
        renewed = true
        this.#session = undefined
        attempt--
        continue
      }
      if (!RETRIED_STATUS.has(res.status) || attempt >= this.#maxRetries) throw error
      await sleep(error.retryAfterSeconds === undefined ? backoffMs(attempt) : error.retryAfterSeconds * 1000 + Math.random() * BACKOFF_BASE_MS, opts.signal)
    }
  }

  async #attempt (call: Call, opts: CallOptions): Promise<Response> {
    const headers = new Headers(call.headers)
    const token = call.credential ? await this.#credential(opts) : call.apiKey
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
    return await this.#fetchOnce(`${this.baseUrl}${call.path}`, { method: call.method, headers, ...(call.body === undefined ? {} : { body: call.body as NonNullable<RequestInit['body']> }) }, opts)
  }

  async #credential (opts: CallOptions): Promise<string | undefined> {
    if (this.#apiKey !== undefined) return this.#apiKey
    return this.#useSession ? await this.#sessionToken(opts) : undefined
  }

  async #sessionToken (opts: CallOptions): Promise<string> {
    if (this.#session !== undefined && this.#session.renewAt > Date.now()) return this.#session.token
    this.#minting ??= this.#mint(opts).finally(() => { this.#minting = undefined })
    return await this.#minting
  }

  async #mint (opts: CallOptions): Promise<string> {
    const res = await this.#send({ method: 'POST', path: '/auth/session', credential: false }, opts)
    const { token, expiresAt } = await json<{ token: string, expiresAt: string }>(res)
    const expires = Date.parse(expiresAt)
    this.#session = { token, renewAt: (Number.isNaN(expires) ? Date.now() + 2 * RENEW_MARGIN_MS : expires) - RENEW_MARGIN_MS }
    return token
  }

  /** One fetch, bounded by the timeout and the caller's signal; failures without an answer become ModelgateErrors. */
  async #fetchOnce (url: string, init: RequestInit, opts: CallOptions): Promise<Response> {
    if (isAborted(opts.signal)) throw aborted(opts.signal)
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout])
    try {
      return await this.#fetch(url, { ...init, signal })
    } catch (err) {
      if (isAborted(opts.signal)) throw aborted(opts.signal)
      if (timeout.aborted) throw clientError(ClientCodes.TIMEOUT, 'Timed out', `No answer from ${url} within ${timeoutMs} ms.`, err)
      const cause = (err as { cause?: { code?: string, message?: string } }).cause
      throw clientError(ClientCodes.NETWORK, 'Network error', `No answer from ${url} (${cause?.code ?? cause?.message ?? (err as Error).message}).`, err)
    }
  }
}

// A function rather than `signal?.aborted` inline: TypeScript would keep the value it narrowed before an await.
function isAborted (signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function aborted (signal: AbortSignal | undefined): ModelgateError {
  return clientError(ClientCodes.ABORTED, 'Aborted', 'The call was aborted by its signal.', signal?.reason)
}

/** Exponential back-off with full jitter: a random wait up to 250 ms, 500 ms, 1 s… (at most 8 s). */
function backoffMs (attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)
}

async function sleep (ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (isAborted(signal)) throw aborted(signal)
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(aborted(signal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function json<T> (res: Response): Promise<T> {
  try {
    return await res.json() as T
  } catch (err) {
    throw new ModelgateError({
      title: 'Unexpected response',
      status: res.status,
      code: ClientCodes.UNEXPECTED_RESPONSE,
      detail: `The gateway answered ${res.status} with a body that is not JSON.`
    }, { cause: err })
  }
}
