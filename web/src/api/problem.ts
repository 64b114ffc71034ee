// Turns a gateway failure (an RFC 9457 problem, a non-problem answer, or no answer at all) into
// an ApiError the page can show: a human headline per code, and the server's own detail.

export interface Problem {
  type?: string
  title: string
  status: number
  detail?: string
  code: string
  requestId?: string
}

export class ApiError extends Error {
  readonly problem: Problem
  /** Seconds to wait before trying again, from Retry-After (429 and 503). */
  readonly retryAfterSeconds: number | undefined

  constructor (problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title)
    this.name = 'ApiError'
    this.problem = problem
    this.retryAfterSeconds = retryAfterSeconds
  }

  get code (): string { return this.problem.code }
  get status (): number { return this.problem.status }
}

/** Codes the page makes itself, when no problem came back. */
export const NETWORK_ERROR = 'NETWORK_ERROR'
export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE'

const HEADLINES: Record<string, string> = {
  IMAGE_TOO_LARGE: 'That image is too large.',
  PAYLOAD_TOO_LARGE: 'That image is too large.',
  IMAGE_UNSUPPORTED_TYPE: 'That file is not an image the models can read.',
  IMAGE_UNDECODABLE: 'That image could not be decoded.',
  IMAGE_MISSING: 'No image was sent.',
  IMAGE_URL_FORBIDDEN: 'That image URL is not allowed.',
  IMAGE_URL_FAILED: 'The image at that URL could not be downloaded.',
  IMAGE_URL_TIMEOUT: 'The image at that URL took too long to download.',
  BODY_INVALID: 'The request was not valid.',
  RATE_LIMITED: 'Too many requests.',
  MODEL_UNAVAILABLE: 'This model is unavailable right now.',
  MODEL_NOT_READY: 'This model is still starting.',
  OVERLOADED: 'This model is busy.',
  MODEL_NOT_FOUND: 'This model no longer exists.',
  FORBIDDEN_MODEL: 'This session may not use that model.',
  AUTH_REQUIRED: 'Your session could not be started.',
  AUTH_INVALID: 'Your session was not accepted.',
  AUTH_EXPIRED: 'Your session has expired.',
  AUTH_UNAVAILABLE: 'Sign-in is unavailable right now.',
  ADMIN_REQUIRED: 'That key is not an admin key.',
  UPSTREAM_FAILED: 'The model service failed to answer.',
  UPSTREAM_TIMEOUT: 'The model service took too long to answer.',
  [NETWORK_ERROR]: 'The gateway cannot be reached.',
  [UNEXPECTED_RESPONSE]: 'The gateway gave an unexpected answer.'
}

const HINTS: Record<string, string> = {
  IMAGE_TOO_LARGE: 'Try a smaller photo, or a JPEG instead of a PNG.',
  PAYLOAD_TOO_LARGE: 'Try a smaller photo, or a JPEG instead of a PNG.',
  IMAGE_UNSUPPORTED_TYPE: 'Use a JPEG, PNG, WebP, GIF or AVIF image.',
  IMAGE_UNDECODABLE: 'The file may be damaged or cut short. Try another image.',
  IMAGE_URL_FORBIDDEN: 'Only public http(s) addresses can be fetched.',
  IMAGE_URL_FAILED: 'Check that the URL opens an image in your browser.',
  MODEL_UNAVAILABLE: 'Pick another model, or try again in a moment.',
  MODEL_NOT_READY: 'Try again in a moment.',
  OVERLOADED: 'Try again in a moment.',
  AUTH_REQUIRED: 'Reload the page to start a new session.',
  AUTH_INVALID: 'Reload the page to start a new session.',
  AUTH_EXPIRED: 'Reload the page to start a new session.',
  [NETWORK_ERROR]: 'Check that the gateway is running, then try again.'
}

export interface ErrorMessage {
  headline: string
  /** The server's sentence about this request, when it sent one. */
  detail?: string
  hint?: string
  requestId?: string
}

/** The words shown for an error: never empty, whatever was thrown. */
export function describeError (err: unknown): ErrorMessage {
  if (!(err instanceof ApiError)) {
    return { headline: 'Something went wrong.', detail: err instanceof Error ? err.message : String(err) }
  }
  const { code, title, detail, requestId } = err.problem
  let hint = HINTS[code]
  if (code === 'RATE_LIMITED' || err.retryAfterSeconds !== undefined) {
    hint = err.retryAfterSeconds === undefined ? 'Wait a little, then try again.' : `Try again in ${plural(err.retryAfterSeconds, 'second')}.`
  }
  const message: ErrorMessage = { headline: HEADLINES[code] ?? (title || 'The request failed.') }
  if (detail !== undefined && detail !== '') message.detail = detail
  if (hint !== undefined) message.hint = hint
  if (requestId !== undefined) message.requestId = requestId
  return message
}

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Reads a failed response as a problem; a body that is not one still gives an ApiError. */
export async function problemFrom (res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'))
  let body: unknown
  try { body = await res.json() } catch { body = undefined }
  if (isProblem(body)) return new ApiError(body, retryAfter)
  return new ApiError({
    title: res.statusText || 'Request failed',
    status: res.status,
    code: UNEXPECTED_RESPONSE,
    detail: `The gateway answered ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`} without details.`
  }, retryAfter)
}

function isProblem (body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  return typeof b.code === 'string' && typeof b.status === 'number' && typeof b.title === 'string'
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter (value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}
