import { defineProblem } from '@modelgate/server-kit'

// Every problem the gateway itself answers; each has a line in docs/errors.md ("Gateway").
// A model service's own problems pass through the gateway unchanged.
export { PayloadTooLarge } from '@modelgate/server-kit/errors'
export const AuthRequired = defineProblem('AUTH_REQUIRED', 401, 'Authentication required')
export const AuthInvalid = defineProblem('AUTH_INVALID', 401, 'Credentials are not valid')
export const AuthExpired = defineProblem('AUTH_EXPIRED', 401, 'Credentials have expired')
export const AuthUnavailable = defineProblem('AUTH_UNAVAILABLE', 503, 'Credentials cannot be checked now')
export const ForbiddenModel = defineProblem('FORBIDDEN_MODEL', 403, 'Not allowed to call this model')
export const AdminRequired = defineProblem('ADMIN_REQUIRED', 403, 'An admin key is required')
export const ModelNotFound = defineProblem('MODEL_NOT_FOUND', 404, 'No such model')
export const ModelVersionNotFound = defineProblem('MODEL_VERSION_NOT_FOUND', 404, 'No such model version')
export const ModelUnavailable = defineProblem('MODEL_UNAVAILABLE', 503, 'Model is unavailable')
export const ModelOverloaded = defineProblem('MODEL_OVERLOADED', 503, 'Model is overloaded')
export const UpstreamFailed = defineProblem('UPSTREAM_FAILED', 502, 'Model service failed')
export const UpstreamTimeout = defineProblem('UPSTREAM_TIMEOUT', 504, 'Model service timed out')
export const RateLimited = defineProblem('RATE_LIMITED', 429, 'Too many requests')
export const RateLimitUnavailable = defineProblem('RATE_LIMIT_UNAVAILABLE', 503, 'Rate limits cannot be checked now')
