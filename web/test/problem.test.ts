import { describe, expect, it } from 'vitest'
import { ModelgateError } from '@modelgate/client'
import { describeError } from '../src/api/problem.ts'

const problem = (code: string, status: number, detail = 'detail of this request') =>
  new ModelgateError({ type: `https://modelgate.example/errors/${code}`, title: `title of ${code}`, status, detail, code, requestId: 'req-1' })

describe('describeError', () => {
  it.each([
    ['IMAGE_TOO_LARGE', 413, 'That image is too large.'],
    ['IMAGE_UNSUPPORTED_TYPE', 415, 'That file is not an image the models can read.'],
    ['IMAGE_UNDECODABLE', 422, 'That image could not be decoded.'],
    ['IMAGE_URL_FORBIDDEN', 403, 'That image URL is not allowed.'],
    ['IMAGE_URL_FAILED', 502, 'The image at that URL could not be downloaded.'],
    ['MODEL_UNAVAILABLE', 503, 'This model is unavailable right now.'],
    ['AUTH_EXPIRED', 401, 'Your session has expired.'],
    ['FORBIDDEN_MODEL', 403, 'This session may not use that model.']
  ])('gives %s a headline of its own and keeps the server detail', (code, status, headline) => {
    const message = describeError(problem(code, status))
    expect(message).toMatchObject({ headline, detail: 'detail of this request', requestId: 'req-1' })
  })

  it('says when to retry a rate-limited request, from Retry-After', () => {
    const err = new ModelgateError({ title: 'Too many', status: 429, code: 'RATE_LIMITED', detail: 'Limit of 60 per minute reached.' }, { retryAfterSeconds: 12 })
    expect(describeError(err)).toMatchObject({ headline: 'Too many requests.', hint: 'Try again in 12 seconds.' })
  })

  it('falls back to the problem title for a code it does not know', () => {
    expect(describeError(problem('SOMETHING_NEW', 400)).headline).toBe('title of SOMETHING_NEW')
  })

  it('describes a thrown non-API error instead of showing nothing', () => {
    expect(describeError(new TypeError('boom'))).toEqual({ headline: 'Something went wrong.', detail: 'boom' })
    expect(describeError(new ModelgateError({ title: 'x', status: 0, code: 'NETWORK' })).headline).toBe('The gateway cannot be reached.')
  })
})
