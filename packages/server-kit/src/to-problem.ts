import { BodyInvalid, Internal, NotFound, PayloadTooLarge, RequestTimeout, UnsupportedMediaType } from './errors.ts'
import { ProblemError, isProblemError } from './problem.ts'

interface FastifyLikeError {
  code?: string
  statusCode?: number
  message?: string
  validation?: Array<{ instancePath?: string, message?: string, params?: Record<string, unknown> }>
  validationContext?: string
}

/** A caller-facing `errors` list from Fastify's (Ajv's) validation result. */
function validationErrors (err: FastifyLikeError): Array<{ path: string, message: string }> {
  const where = err.validationContext ?? 'body'
  return (err.validation ?? []).map((v) => {
    const missing = typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : ''
    const extra = typeof v.params?.additionalProperty === 'string' ? `/${v.params.additionalProperty}` : ''
    return { path: `${where}${v.instancePath ?? ''}${missing}${extra}`, message: v.message ?? 'is invalid' }
  })
}

/**
 * Turns anything thrown in a request into a problem: ours as they are, Fastify's validation and
 * body errors into their codes, anything unknown into a 500 INTERNAL whose detail says nothing.
 */
export function toProblem (error: unknown): ProblemError {
  if (isProblemError(error)) return error
  const err = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError
  if (err.validation !== undefined) {
    const errors = validationErrors(err)
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ')
    return new BodyInvalid(detail || 'The request does not match the schema.', { extra: { errors } })
  }
  const status = err.statusCode ?? 500
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BodyInvalid(err.message ?? 'The body is not valid JSON.', { cause: error })
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLarge(err.message ?? 'The body is over the limit.', { cause: error })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaType(err.message ?? 'This content type is not accepted here.', { cause: error })
  }
  if (status === 400) return new BodyInvalid(err.message ?? 'The request is invalid.', { cause: error })
  if (status === 404) return new NotFound(err.message ?? 'Not found.', { cause: error })
  if (status === 408) return new RequestTimeout(err.message ?? 'The request took too long.', { cause: error })
  if (status === 413) return new PayloadTooLarge(err.message ?? 'The body is over the limit.', { cause: error })
  if (status === 415) return new UnsupportedMediaType(err.message ?? 'Content type not accepted.', { cause: error })
  if (status >= 400 && status < 500) {
    return new ProblemError('REQUEST_REJECTED', status, 'Request rejected', err.message ?? 'The request was rejected.', { cause: error })
  }
  return new Internal('An unexpected error occurred; the log has the details under this request id.', { cause: error })
}
