// The page's only way to the gateway: an anonymous session token (minted on first use, renewed
// before it expires and once when the gateway says it expired), the model list, predict, ops.
import { ApiError, NETWORK_ERROR, UNEXPECTED_RESPONSE, problemFrom } from './problem.ts'
import type { ImageSource, ModelInfo, OpsSummary, PredictResult } from './types.ts'

export interface GatewayClientOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  baseUrl: string
  fetch?: typeof fetch
  now?: () => number
}

export interface PredictOptions {
  topk?: number
  signal?: AbortSignal
}

export interface GatewayClient {
  readonly baseUrl: string
  /** Mints a session token now (the page does it on load so the first predict is not slower). */
  startSession: () => Promise<void>
  listModels: (signal?: AbortSignal) => Promise<ModelInfo[]>
  predict: (modelId: string, image: ImageSource, opts?: PredictOptions) => Promise<PredictResult>
  opsSummary: (adminKey: string, signal?: AbortSignal) => Promise<OpsSummary>
}

// Renew this long before the token's expiry, so a request never leaves with a token about to lapse.
const RENEW_MARGIN_MS = 30_000
const SESSION_RETRY_CODES = new Set(['AUTH_EXPIRED', 'AUTH_INVALID'])

export function createGatewayClient (opts: GatewayClientOptions): GatewayClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '')
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  const now = opts.now ?? Date.now
  let session: { token: string, expiresAt: number } | undefined
  let minting: Promise<string> | undefined

  async function call (path: string, init: RequestInit): Promise<Response> {
    let res: Response
    try {
      res = await doFetch(`${baseUrl}${path}`, init)
    } catch (err) {
      if (init.signal?.aborted === true) throw err
      throw new ApiError({ title: 'Network error', status: 0, code: NETWORK_ERROR, detail: `No answer from the gateway at ${baseUrl}, or it does not accept requests from this page (CORS_ORIGIN).` })
    }
    if (!res.ok) throw await problemFrom(res)
    return res
  }

  async function json<T> (res: Response): Promise<T> {
    try {
      return await res.json() as T
    } catch {
      throw new ApiError({ title: 'Unexpected response', status: res.status, code: UNEXPECTED_RESPONSE, detail: 'The gateway answered with something that is not JSON.' })
    }
  }

  async function mint (): Promise<string> {
    const res = await call('/auth/session', { method: 'POST' })
    const body = await json<{ token: string, expiresAt: string }>(res)
    const expiresAt = Date.parse(body.expiresAt)
    session = { token: body.token, expiresAt: Number.isNaN(expiresAt) ? now() + 60_000 : expiresAt }
    return body.token
  }

  async function token (): Promise<string> {
    if (session !== undefined && session.expiresAt - RENEW_MARGIN_MS > now()) return session.token
    minting ??= mint().finally(() => { minting = undefined })
    return await minting
  }

  async function withSession (path: string, init: RequestInit): Promise<Response> {
    const send = async (): Promise<Response> => {
      const headers = new Headers(init.headers)
      headers.set('authorization', `Bearer ${await token()}`)
      return await call(path, { ...init, headers })
    }
    try {
      return await send()
    } catch (err) {
      if (!(err instanceof ApiError) || !SESSION_RETRY_CODES.has(err.code)) throw err
      // The gateway may have restarted with a new signing key, or our clock runs late: one fresh token.
      session = undefined
      return await send()
    }
  }

  return {
    baseUrl,
    async startSession () { await token() },

    async listModels (signal) {
      const res = await call('/models', { signal: signal ?? null, headers: { accept: 'application/json' } })
      return (await json<{ models: ModelInfo[] }>(res)).models
    },

    async predict (modelId, image, { topk = 5, signal } = {}) {
      const init: RequestInit = image.kind === 'file'
        ? { method: 'POST', body: image.file, headers: { 'content-type': image.file.type || 'application/octet-stream' } }
        : { method: 'POST', body: JSON.stringify({ url: image.url }), headers: { 'content-type': 'application/json' } }
      const started = performance.now()
      const res = await withSession(`/model/${encodeURIComponent(modelId)}/predict?topk=${topk}`, { ...init, signal: signal ?? null })
      const body = await json<Omit<PredictResult, 'servedVersion' | 'roundTripMs'>>(res)
      const result: PredictResult = { ...body, roundTripMs: performance.now() - started }
      const served = res.headers.get('x-model-version')
      if (served !== null) result.servedVersion = served
      return result
    },

    async opsSummary (adminKey, signal) {
      const res = await call('/ops/summary', { signal: signal ?? null, headers: { authorization: `Bearer ${adminKey}`, accept: 'application/json' } })
      return await json<OpsSummary>(res)
    }
  }
}
