import { describe, expect, it } from 'vitest'
import { ApiError, NETWORK_ERROR, describeError, parseRetryAfter, problemFrom } from '../src/api/problem.ts'

const problem = (code: string, status: number, detail = 'detail of this request') =>
  new ApiError({ type: `https://modelgate.example/errors/${code}`, title: `title of ${code}`, status, detail, code, requestId: 'req-1' })

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
    const err = new ApiError({ title: 'Too many', status: 429, code: 'RATE_LIMITED', detail: 'Limit of 60 per minute reached.' }, 12)
    expect(describeError(err)).toMatchObject({ headline: 'Too many requests.', hint: 'Try again in 12 seconds.' })
  })

  it('falls back to the problem title for a code it does not know', () => {
    expect(describeError(problem('SOMETHING_NEW', 400)).headline).toBe('title of SOMETHING_NEW')
  })

  it('describes a thrown non-API error instead of showing nothing', () => {
    expect(describeError(new TypeError('boom'))).toEqual({ headline: 'Something went wrong.', detail: 'boom' })
    expect(describeError(new ApiError({ title: 'x', status: 0, code: NETWORK_ERROR })).headline).toBe('The gateway cannot be reached.')
  })
})

describe('problemFrom', () => {
  it('reads an application/problem+json answer with its Retry-After', async () => {
    const res = new Response(JSON.stringify({ type: 't', title: 'Model is unavailable', status: 503, detail: 'No replica.', code: 'MODEL_UNAVAILABLE', requestId: 'r' }), {
      status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '5' }
    })
    const err = await problemFrom(res)
    expect(err).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503, retryAfterSeconds: 5 })
    expect(err.problem.detail).toBe('No replica.')
  })

  it('turns an answer that is not a problem (an HTML error page) into one', async () => {
    const err = await problemFrom(new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 })
    expect(err.problem.detail).toBe('The gateway answered 502 Bad Gateway without details.')
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})
