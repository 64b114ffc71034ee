import { defineProblem } from './problem.ts'

// Problems that any process of the platform can answer.
export const BodyInvalid = defineProblem('BODY_INVALID', 400, 'Request body is invalid')
export const NotFound = defineProblem('NOT_FOUND', 404, 'No such route')
export const MethodNotAllowed = defineProblem('METHOD_NOT_ALLOWED', 405, 'Method not allowed')
export const PayloadTooLarge = defineProblem('PAYLOAD_TOO_LARGE', 413, 'Request body is too large')
export const UnsupportedMediaType = defineProblem('UNSUPPORTED_MEDIA_TYPE', 415, 'Content type is not supported')
export const RequestTimeout = defineProblem('REQUEST_TIMEOUT', 408, 'Request took too long to arrive')
export const HeadersTooLarge = defineProblem('HEADERS_TOO_LARGE', 431, 'Request headers are too large')
export const RequestMalformed = defineProblem('REQUEST_MALFORMED', 400, 'Request is not valid HTTP')
export const ExpectationFailed = defineProblem('EXPECTATION_FAILED', 417, 'Expectation not supported')
export const ServiceNotReady = defineProblem('SERVICE_NOT_READY', 503, 'Service is not ready')
export const ServiceAuthRequired = defineProblem('SERVICE_AUTH_REQUIRED', 401, 'Service token required')
export const ShuttingDown = defineProblem('SHUTTING_DOWN', 503, 'Server is shutting down')
export const Internal = defineProblem('INTERNAL', 500, 'Internal error')
