// Fuzzes the gateway's upstreams-file parser: any JSON, and files close to valid ones, either parse
// into a routing table the gateway can build, or fail with an UpstreamsFileError naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { MODEL_ID_PATTERN, UpstreamsFileError, loadUpstreamsFile, parseUpstreams } from '../../gateway/src/config.ts'
import { UpstreamRegistry } from '../../gateway/src/upstreams/registry.ts'

const RUNS = { numRuns: 300 }

/** Parses, and for an accepted file builds the registry; anything else thrown fails the property. */
function parseOrRefuse (value: unknown): 'accepted' | 'refused' {
  try {
    const file = parseUpstreams(value)
    for (const id of Object.keys(file.models)) expect(id).toMatch(MODEL_ID_PATTERN)
    const registry = new UpstreamRegistry(file)
    expect(registry.ids().sort()).toEqual(Object.keys(file.models).sort())
    return 'accepted'
  } catch (err) {
    if (err instanceof UpstreamsFileError) return 'refused'
    throw err
  }
}

// Near-valid files: mostly well-made, with hostile leaves mixed in, so the checks past the schema run.
const replica = fc.oneof(
  { arbitrary: fc.constantFrom('http://127.0.0.1:8101', 'https://resnet.internal/', 'http://[::1]:8101', 'http://user@host:1'), weight: 4 },
  { arbitrary: fc.constantFrom('http://a:99999', 'http://%%', 'http://:80', 'http://[::1', 'http://h:-1', 'http://h:1/path', 'ftp://h', 'http://h h'), weight: 2 },
  { arbitrary: fc.string({ maxLength: 30 }).map((s) => `http://${s}`), weight: 1 }
)
const modelId = fc.oneof(
  { arbitrary: fc.constantFrom('resnet', 'mobilenet', 'resnet-int8'), weight: 4 },
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'Res Net', '', 'a'.repeat(65), '../x'), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }
)
const version = fc.oneof({ arbitrary: fc.constant('1.0.0'), weight: 4 }, { arbitrary: fc.string({ maxLength: 70 }), weight: 1 })
const track = fc.record({ version, replicas: fc.array(replica, { minLength: 1, maxLength: 3 }) })
const canary = fc.record({ version, replicas: fc.array(replica, { minLength: 1, maxLength: 2 }), weight: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double()) })
const nearValid = fc.record({
  $comment: fc.option(fc.string(), { nil: undefined }),
  models: fc.dictionary(modelId, fc.record({ stable: track, canary: fc.option(canary, { nil: undefined }) }), { minKeys: 1, maxKeys: 3 })
}).map((file) => JSON.parse(JSON.stringify(file)) as unknown)

describe('the upstreams file parser under arbitrary input', () => {
  it('refuses any JSON value that is not a valid file with UpstreamsFileError, and nothing else', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => { parseOrRefuse(value) }), RUNS)
  })

  it('accepts only near-valid files the routing table can be built from', () => {
    fc.assert(fc.property(nearValid, (value) => { parseOrRefuse(value) }), { numRuns: 500 })
  })

  it('still accepts the well-made file the mutations start from', () => {
    expect(parseOrRefuse({ models: { resnet: { stable: { version: '1.0.0', replicas: ['http://127.0.0.1:8101'] } } } })).toBe('accepted')
  })

  const dir = mkdtempSync(join(tmpdir(), 'mg-upstreams-fuzz-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('refuses any file text that is not a valid file with UpstreamsFileError', async () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), nearValid.map((v) => JSON.stringify(v).slice(0, -1)), fc.jsonValue().map((v) => JSON.stringify(v)))
    await fc.assert(fc.asyncProperty(text, async (t) => {
      const path = join(dir, 'upstreams.json')
      writeFileSync(path, t)
      await loadUpstreamsFile(path).then((file) => new UpstreamRegistry(file), (err: unknown) => {
        if (!(err instanceof UpstreamsFileError)) throw err
      })
    }), { numRuns: 200 })
  })
})
