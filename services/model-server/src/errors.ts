import { defineProblem } from '@modelgate/server-kit'

// Every problem a model service answers; each has a line in docs/errors.md.
export { BodyInvalid } from '@modelgate/server-kit/errors'
export const ImageMissing = defineProblem('IMAGE_MISSING', 400, 'No image in the request')
export const ImageTooLarge = defineProblem('IMAGE_TOO_LARGE', 413, 'Image is too large')
export const ImageUnsupportedType = defineProblem('IMAGE_UNSUPPORTED_TYPE', 415, 'Image type is not supported')
export const ImageUndecodable = defineProblem('IMAGE_UNDECODABLE', 422, 'Image cannot be decoded')
export const ImageUrlForbidden = defineProblem('IMAGE_URL_FORBIDDEN', 403, 'Image URL is not allowed')
export const ImageUrlFailed = defineProblem('IMAGE_URL_FAILED', 502, 'Image URL could not be fetched')
export const ImageUrlTimeout = defineProblem('IMAGE_URL_TIMEOUT', 504, 'Image URL timed out')
export const ModelNotReady = defineProblem('MODEL_NOT_READY', 503, 'Model is not ready')
// The Open Inference Protocol's routes name a model and a version in the path.
export const ModelNotFound = defineProblem('MODEL_NOT_FOUND', 404, 'No such model')
export const ModelVersionNotFound = defineProblem('MODEL_VERSION_NOT_FOUND', 404, 'No such model version')
export const Overloaded = defineProblem('OVERLOADED', 503, 'Service is overloaded')
