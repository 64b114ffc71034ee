// The words the page shows for a failed call: a human headline per code, the server's own detail, and
// what to do. Every failure of @modelgate/client is a ModelgateError with the platform's code, or one
// of the client's own (NETWORK, TIMEOUT, UNEXPECTED_RESPONSE…) when no problem came back.
import { ClientCodes, ModelgateError } from '@modelgate/client'

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
  [ClientCodes.NETWORK]: 'The gateway cannot be reached.',
  [ClientCodes.TIMEOUT]: 'The gateway took too long to answer.',
  [ClientCodes.UNEXPECTED_RESPONSE]: 'The gateway gave an unexpected answer.'
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
  [ClientCodes.NETWORK]: 'Check that the gateway is running, then try again.',
  [ClientCodes.TIMEOUT]: 'Try again in a moment.'
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
  if (!(err instanceof ModelgateError)) {
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
