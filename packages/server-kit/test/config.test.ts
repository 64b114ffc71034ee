import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'
import { readServiceTokens } from '../src/service-token.ts'

const Schema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  MODEL_BUNDLE: Type.String({ minLength: 1 }),
  VERBOSE: Type.Boolean({ default: false })
})

describe('loadConfig', () => {
  it('converts strings, fills defaults and ignores unrelated variables', () => {
    expect(loadConfig(Schema, { PORT: '9000', MODEL_BUNDLE: 'b', VERBOSE: 'true', PATH: '/bin' })).toEqual({ HOST: '127.0.0.1', PORT: 9000, MODEL_BUNDLE: 'b', VERBOSE: true })
  })

  it('names every bad variable and the value it got', () => {
    let error: unknown
    try {
      loadConfig(Schema, { PORT: '99x' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toContain('PORT: must be integer (got "99x")')
    expect(message).toContain('MODEL_BUNDLE')
  })

  it('refuses values out of range', () => {
    expect(() => loadConfig(Schema, { PORT: '70000', MODEL_BUNDLE: 'b' })).toThrow(/PORT: .*65535/)
  })
})

describe('readServiceTokens', () => {
  const a = 'a'.repeat(32)
  const b = 'b'.repeat(64)

  it('reads none, one, or a rotation\'s list (the first is sent), from the variable or a file', () => {
    expect(readServiceTokens({})).toEqual([])
    expect(readServiceTokens({ SERVICE_TOKEN: a })).toEqual([a])
    expect(readServiceTokens({ SERVICE_TOKEN: ` ${b} , ${a} ` })).toEqual([b, a])
    const file = join(mkdtempSync(join(tmpdir(), 'kit-token-')), 'token')
    writeFileSync(file, `${a},${b}\n`)
    expect(readServiceTokens({ SERVICE_TOKEN_FILE: file })).toEqual([a, b])
  })

  it('refuses a token under 32 bytes and an empty one in a list, by position', () => {
    expect(() => readServiceTokens({ SERVICE_TOKEN: 'x'.repeat(31) })).toThrow('SERVICE_TOKEN: token 1 of 1 has 31 bytes')
    expect(() => readServiceTokens({ SERVICE_TOKEN: `${a},` })).toThrow('SERVICE_TOKEN: token 2 of 2 has 0 bytes')
  })
})
