// Every failure of a call is a ModelgateError: the gateway's problem (RFC 9457) with its stable code,
// or one of the client's own codes when no problem came back.

/** A problem answer (docs/errors.md): `code` is stable, `detail` speaks of the one request. */
export interface Problem {
  type?: string
  title: string
  status: number
  detail?: string
  code: string
  requestId?: string
  [member: string]: unknown
}

/** The client's own codes, for failures without a problem answer. */
export const ClientCodes = {
  /** No answer: the gateway cannot be reached, or the connection broke before a response. */
  NETWORK: 'NETWORK',
  /** No answer within the call's timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The caller's signal aborted the call. */
  ABORTED: 'ABORTED',
  /** An answer that is not what the API documents (a proxy's HTML error page, say). */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
  /** The input cannot be sent: an unreadable file, a string that is neither an http(s) URL nor (in Node) a path. */
  INPUT_INVALID: 'INPUT_INVALID'
} as const

export class ModelgateError extends Error {
  /** The HTTP status, or 0 when no answer came. */
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly requestId: string | undefined
  /** The whole problem answer (with extra members such as `knownModels`), or the client's own. */
  readonly problem: Problem
  /** Seconds the gateway asked to wait (Retry-After), on 429 and 503. */
  readonly retryAfterSeconds: number | undefined

  constructor (problem: Problem, opts: { retryAfterSeconds?: number, cause?: unknown } = {}) {
    super(`${problem.code}: ${problem.detail ?? problem.title}`, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'ModelgateError'
    this.status = problem.status
    this.code = problem.code
    this.detail = problem.detail ?? problem.title
    this.requestId = problem.requestId
    this.problem = problem
    this.retryAfterSeconds = opts.retryAfterSeconds
  }
}

/** A failure the client detected itself (status 0). */
export function clientError (code: string, title: string, detail: string, cause?: unknown): ModelgateError {
  return new ModelgateError({ title, status: 0, code, detail }, { cause })
}

function isProblem (body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  return typeof b.code === 'string' && typeof b.status === 'number' && typeof b.title === 'string'
}

/** Retry-After: seconds, or an HTTP date (RFC 9110, 10.2.3). */
export function parseRetryAfter (value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim() ?? ''
  if (text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/** A non-2xx answer as a ModelgateError; an answer that is not a problem still gives one. */
export async function errorFromResponse (res: Response): Promise<ModelgateError> {
  const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'))
  const text = await res.text().catch(() => '')
  let body: unknown
  try { body = JSON.parse(text) } catch { body = undefined }
  if (isProblem(body)) return new ModelgateError(body, { ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })
  return new ModelgateError({
    title: res.statusText === '' ? 'Unexpected response' : res.statusText,
    status: res.status,
    code: ClientCodes.UNEXPECTED_RESPONSE,
    detail: `The gateway answered ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`} without a problem body.`
  }, { ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })
}
