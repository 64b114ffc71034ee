import { describe, expect, it } from 'vitest'
import { errorFromResponse, parseRetryAfter } from '../src/errors.ts'

describe('errorFromResponse', () => {
  it('reads an application/problem+json answer, every member kept, with its Retry-After', async () => {
    const res = new Response(JSON.stringify({ type: 't', title: 'Model is unavailable', status: 503, detail: 'No replica.', code: 'MODEL_UNAVAILABLE', requestId: 'r', knownModels: ['a'] }), {
      status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '5' }
    })
    const err = await errorFromResponse(res)
    expect(err).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503, detail: 'No replica.', requestId: 'r', retryAfterSeconds: 5, problem: { knownModels: ['a'] } })
    expect(err.message).toBe('MODEL_UNAVAILABLE: No replica.')
  })

  it('turns an answer that is not a problem (an HTML error page) into UNEXPECTED_RESPONSE', async () => {
    const err = await errorFromResponse(new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502, detail: 'The gateway answered 502 Bad Gateway without a problem body.' })
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
