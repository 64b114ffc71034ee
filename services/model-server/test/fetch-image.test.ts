import { once } from 'node:events'
import { connect } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { isProblemError, problemBody } from '@modelgate/server-kit'
import { isForbiddenAddress } from '../src/image/address-policy.ts'
import { createImageFetcher, type ImageFetcherOptions } from '../src/image/fetch-image.ts'
import { createGuardedConnector, type ResolveHost } from '../src/image/guarded-connect.ts'
import { cat, startServer, type TestServer } from './image-host.ts'
import { strayAttempts, tripwire } from './loopback-tripwire.ts'

// End to end against node:http servers on loopback only. Names resolve through injected lookups,
// and a tripwire (loopback-tripwire.ts) destroys any socket about to connect beyond loopback.

let main: TestServer // the allow-listed image host
let other: TestServer // a second loopback server that is never allow-listed
let v6: TestServer | null // on [::1] when this machine has it: a broken guard would then succeed, not fail to connect

beforeAll(async () => {
  main = await startServer('127.0.0.1')
  other = await startServer('127.0.0.1')
  v6 = await startServer('::1').catch(() => null)
  tripwire.arm()
})
afterAll(async () => {
  tripwire.disarm()
  await Promise.all([main.close(), other.close(), v6?.close()])
})
afterEach(() => {
  expect(strayAttempts.splice(0), 'connection attempts beyond loopback').toEqual([])
  for (const s of [main, other, v6]) if (s !== null) { s.paths.length = 0; s.connections = 0 }
})

function fetcher (options: ImageFetcherOptions = {}): ReturnType<typeof createImageFetcher> {
  const fetchImage = createImageFetcher({ allowHosts: [`127.0.0.1:${main.port}`], timeoutMs: 5000, ...options })
  onTestFinished(() => fetchImage.close())
  return fetchImage
}

async function problemOf (promise: Promise<unknown>): Promise<ReturnType<typeof problemBody>> {
  const err = await promise.then(() => { throw new Error('expected a problem, the fetch succeeded') }, (e: unknown) => e)
  if (!isProblemError(err)) throw err
  return problemBody(err, undefined)
}

/** A lookup whose n-th call answers answers[n] (the last one repeats), for any name; it records the names. */
function lookupAnswering (...answers: string[][]): ResolveHost & { calls: string[] } {
  const calls: string[] = []
  const lookup = async (hostname: string): Promise<Array<{ address: string, family: number }>> => {
    const addresses = answers[Math.min(calls.length, answers.length - 1)] ?? []
    calls.push(hostname)
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(lookup, { calls })
}

const forbidden = { code: 'IMAGE_URL_FORBIDDEN', status: 403 }

describe('the test tripwire', () => {
  it('destroys a socket about to connect to an address it treats as remote', async () => {
    tripwire.treatAsStray('127.0.0.3')
    try {
      const socket = connect({
        host: 'tripwire.test',
        port: main.port,
        lookup: (_h, o, cb) => o.all === true ? cb(null, [{ address: '127.0.0.3', family: 4 }]) : cb(null, '127.0.0.3', 4)
      })
      const [err] = await once(socket, 'error') as [Error]
      expect(err.message).toMatch(/^tripwire/)
      expect(strayAttempts).toEqual(['127.0.0.3'])
    } finally {
      tripwire.treatAsStray(null)
      strayAttempts.length = 0
    }
  })
})

describe('fetching from allow-listed hosts', () => {
  it('fetches a photo from an allow-listed host:port', async () => {
    const image = await fetcher()(`${main.origin}/cat.jpg`)
    expect(image.bytes.equals(cat)).toBe(true)
    expect(image.contentType).toBe('image/jpeg')
    expect(image.fetchMs).toBeGreaterThanOrEqual(0)
  })

  it('allows every port of an entry without one, and names through the injected lookup', async () => {
    const lookup = lookupAnswering(['127.0.0.1'])
    const fetchImage = fetcher({ allowHosts: ['127.0.0.1', 'images.test'], lookup })
    expect((await fetchImage(`${other.origin}/cat.jpg`)).bytes.equals(cat)).toBe(true)
    expect((await fetchImage(`http://IMAGES.test:${main.port}/cat.jpg`)).bytes.equals(cat)).toBe(true)
    expect(lookup.calls).toEqual(['images.test'])
  })

  it('follows 3 redirects', async () => {
    const image = await fetcher()(`${main.origin}/redirect/2`)
    expect(image.bytes.equals(cat)).toBe(true)
    expect(main.paths).toEqual(['/redirect/2', '/redirect/1', '/redirect/0', '/cat.jpg'])
  })

  it('refuses a 4th redirect with IMAGE_URL_FAILED', async () => {
    expect(await problemOf(fetcher()(`${main.origin}/redirect/3`))).toMatchObject({ code: 'IMAGE_URL_FAILED', status: 502 })
    expect(main.paths).not.toContain('/cat.jpg')
    expect(await problemOf(fetcher({ maxRedirects: 0 })(`${main.origin}/redirect/0`))).toMatchObject({ code: 'IMAGE_URL_FAILED' })
  })

  it('rejects a malformed allow-list entry', () => {
    expect(() => createImageFetcher({ allowHosts: ['images.test/path'] })).toThrow(/images.test\/path/)
  })
})

describe('refusing loopback targets that are not allow-listed', () => {
  const spellings = ['127.0.0.1', '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0']
  it.each(spellings)('refuses http://%s:port without connecting', async (host) => {
    const fetchImage = fetcher({ allowHosts: [] })
    expect(await problemOf(fetchImage(`http://${host}:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(main.connections).toBe(0)
  })

  it('refuses http://[::1]:port without connecting', async () => {
    const target = v6 ?? main
    expect(await problemOf(fetcher({ allowHosts: [] })(`http://[::1]:${target.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(target.connections).toBe(0)
  })

  it('refuses https to a loopback literal or to a name resolving to loopback, without connecting', async () => {
    const fetchImage = fetcher({ allowHosts: [], lookup: lookupAnswering(['127.0.0.1']) })
    expect(await problemOf(fetchImage(`https://127.0.0.1:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(await problemOf(fetchImage(`https://images.test:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(main.connections).toBe(0)
  })

  it('refuses a forbidden IP literal in the connector itself, whatever the URL checks did', async () => {
    const connector = createGuardedConnector({ allowHosts: [], lookup: lookupAnswering([]), isForbidden: isForbiddenAddress, timeoutMs: 1000 })
    const err = await new Promise((resolve) => {
      const params = { hostname: '127.0.0.1', host: `127.0.0.1:${main.port}`, protocol: 'http:', port: String(main.port) }
      connector(params, (...args) => resolve(args[0]))
    })
    expect(isProblemError(err) && problemBody(err, undefined)).toMatchObject(forbidden)
    expect(main.connections).toBe(0)
  })

  it.each(['localhost', 'localhost.', 'LocalHost', 'api.localhost', 'a.b.localhost.'])('refuses http://%s:port by name, before any lookup', async (host) => {
    // The lookup would answer a public address: only the name can refuse it.
    const lookup = lookupAnswering(['93.184.216.34'])
    expect(await problemOf(fetcher({ allowHosts: [], lookup })(`http://${host}:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(lookup.calls).toEqual([])
    expect(main.connections).toBe(0)
  })

  it('refuses another port or another name for an allow-listed 127.0.0.1:port', async () => {
    const fetchImage = fetcher()
    expect(await problemOf(fetchImage(`${other.origin}/cat.jpg`))).toMatchObject(forbidden)
    expect(await problemOf(fetchImage(`http://localhost:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(main.connections + other.connections).toBe(0)
  })

  it.each([
    ['another port', () => `${other.origin}/cat.jpg`],
    ['localhost', () => `http://localhost:${main.port}/cat.jpg`],
    ['a mapped address', () => `http://[::ffff:7f00:1]:${main.port}/cat.jpg`],
    ['a decimal address', () => `http://2130706433:${other.port}/cat.jpg`]
  ])('refuses a redirect from an allow-listed host to %s', async (_name, target) => {
    const problem = await problemOf(fetcher()(`${main.origin}/to?u=${encodeURIComponent(target())}`))
    expect(problem).toMatchObject(forbidden)
    expect(main.paths).toEqual([`/to?u=${encodeURIComponent(target())}`])
    expect(other.connections).toBe(0)
  })
})

describe('refusing URLs by their form', () => {
  it.each([
    `ftp://127.0.0.1:${21}/cat.jpg`, 'file:///etc/passwd', 'data:image/png;base64,iVBORw0KGgo=', 'gopher://127.0.0.1/'
  ])('refuses the scheme of %s', async (url) => {
    expect(await problemOf(fetcher()(url))).toMatchObject(forbidden)
  })

  it('refuses credentials, even for an allow-listed host', async () => {
    const fetchImage = fetcher()
    expect(await problemOf(fetchImage(`http://user:pass@127.0.0.1:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(await problemOf(fetchImage(`http://user@127.0.0.1:${main.port}/cat.jpg`))).toMatchObject(forbidden)
    expect(main.connections).toBe(0)
  })

  it.each([
    ['credentials', () => `http://user:pass@127.0.0.1:${main.port}/cat.jpg`],
    ['a file: URL', () => 'file:///etc/passwd']
  ])('refuses a redirect to %s', async (_name, target) => {
    expect(await problemOf(fetcher()(`${main.origin}/to?u=${encodeURIComponent(target())}`))).toMatchObject(forbidden)
    expect(main.paths).toHaveLength(1)
  })

  it.each(['not a url', '/relative/cat.jpg', 'http://'])('answers BODY_INVALID for %j', async (url) => {
    expect(await problemOf(fetcher()(url))).toMatchObject({ code: 'BODY_INVALID', status: 400 })
  })

  it('answers BODY_INVALID for a URL over maxUrlLength', async () => {
    const url = `${main.origin}/cat.jpg?${'a'.repeat(100)}`
    expect(await problemOf(fetcher({ maxUrlLength: 64 })(url))).toMatchObject({ code: 'BODY_INVALID', status: 400 })
    expect(main.connections).toBe(0)
  })
})

describe('names resolving to forbidden addresses', () => {
  it.each(['10.0.0.1', '169.254.169.254', '100.64.0.1', '192.168.0.10', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '0.0.0.0'])(
    'refuses evil.test resolving to %s at connect time, connecting nowhere', async (address) => {
      const lookup = lookupAnswering([address])
      const problem = await problemOf(fetcher({ allowHosts: [], lookup })(`http://evil.test:${main.port}/cat.jpg`))
      expect(problem).toMatchObject(forbidden)
      expect(problem.detail).not.toContain(address)
      expect(lookup.calls).toEqual(['evil.test'])
      expect(main.connections).toBe(0)
    })

  it('refuses a name when one of its answers is forbidden', async () => {
    // 127.0.0.1 stands in for a public address here; 10.0.0.1 among the answers refuses the name.
    const isForbidden = (ip: string): boolean => ip !== '127.0.0.1' && isForbiddenAddress(ip)
    const lookup = lookupAnswering(['127.0.0.1', '10.0.0.1'])
    const problem = await problemOf(fetcher({ allowHosts: [], lookup, isForbidden })(`http://mixed.test:${main.port}/cat.jpg`))
    expect(problem).toMatchObject(forbidden)
    expect(main.connections).toBe(0)
  })

  it('checks the address of each new connection, so a name rebinding to 10.0.0.1 is refused', async () => {
    const isForbidden = (ip: string): boolean => ip !== '127.0.0.1' && isForbiddenAddress(ip)
    const lookup = lookupAnswering(['127.0.0.1'], ['10.0.0.1'])
    const fetchImage = fetcher({ allowHosts: [], lookup, isForbidden })
    const url = `http://rebind.test:${main.port}/close/cat.jpg`
    expect((await fetchImage(url)).bytes.equals(cat)).toBe(true)
    expect(await problemOf(fetchImage(url))).toMatchObject(forbidden)
    expect(lookup.calls).toEqual(['rebind.test', 'rebind.test'])
    expect(main.connections).toBe(1)
  })

  it('refuses a redirect whose next connection resolves the same name to 169.254.169.254', async () => {
    const isForbidden = (ip: string): boolean => ip !== '127.0.0.1' && isForbiddenAddress(ip)
    const lookup = lookupAnswering(['127.0.0.1'], ['169.254.169.254'])
    const problem = await problemOf(fetcher({ allowHosts: [], lookup, isForbidden })(`http://rebind.test:${main.port}/close/redirect`))
    expect(problem).toMatchObject(forbidden)
    expect(main.paths).toEqual(['/close/redirect'])
    expect(lookup.calls).toHaveLength(2)
  })
})

describe('limits and responses', () => {
  it('answers IMAGE_URL_TIMEOUT when no headers come', async () => {
    expect(await problemOf(fetcher({ timeoutMs: 200 })(`${main.origin}/slow-headers`))).toMatchObject({ code: 'IMAGE_URL_TIMEOUT', status: 504 })
  })

  it('answers IMAGE_URL_TIMEOUT when the body stalls', async () => {
    expect(await problemOf(fetcher({ timeoutMs: 200 })(`${main.origin}/slow-body`))).toMatchObject({ code: 'IMAGE_URL_TIMEOUT', status: 504 })
  })

  it('answers IMAGE_TOO_LARGE for a stream past maxBytes', async () => {
    expect(await problemOf(fetcher({ maxBytes: 300_000 })(`${main.origin}/huge`))).toMatchObject({ code: 'IMAGE_TOO_LARGE', status: 413 })
  })

  it('answers IMAGE_TOO_LARGE from content-length before reading', async () => {
    expect(await problemOf(fetcher({ maxBytes: 300_000 })(`${main.origin}/huge-declared`))).toMatchObject({ code: 'IMAGE_TOO_LARGE', status: 413 })
  })

  it('takes an image of exactly maxBytes and refuses one byte less', async () => {
    expect((await fetcher({ maxBytes: cat.length })(`${main.origin}/cat.jpg`)).bytes.length).toBe(cat.length)
    expect(await problemOf(fetcher({ maxBytes: cat.length - 1 })(`${main.origin}/cat.jpg`))).toMatchObject({ code: 'IMAGE_TOO_LARGE' })
  })

  it.each(['/page.html', '/logo.svg', '/no-type'])('answers IMAGE_UNSUPPORTED_TYPE for %s', async (path) => {
    expect(await problemOf(fetcher()(`${main.origin}${path}`))).toMatchObject({ code: 'IMAGE_UNSUPPORTED_TYPE', status: 415 })
  })

  it('answers IMAGE_URL_FAILED for a 404', async () => {
    expect(await problemOf(fetcher()(`${main.origin}/missing.jpg`))).toMatchObject({ code: 'IMAGE_URL_FAILED', status: 502 })
  })

  it('answers IMAGE_URL_FAILED when the connection is refused', async () => {
    const closed = await startServer('127.0.0.1')
    await closed.close()
    const problem = await problemOf(fetcher({ allowHosts: [`127.0.0.1:${closed.port}`] })(`${closed.origin}/cat.jpg`))
    expect(problem).toMatchObject({ code: 'IMAGE_URL_FAILED', status: 502 })
  })

  it('passes on the caller abort as it is', async () => {
    const controller = new AbortController()
    const arrived = once(main.server, 'request')
    const pending = fetcher()(`${main.origin}/slow-headers`, controller.signal)
    await arrived
    controller.abort(new Error('client went away'))
    await expect(pending).rejects.toThrow('client went away')
  })
})
