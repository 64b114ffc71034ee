import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

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
