#!/usr/bin/env node
// `modelgate`: classify images and list models from a terminal, with @modelgate/client.
// MODELGATE_URL (default http://127.0.0.1:8080) and MODELGATE_API_KEY say where and as whom.
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { type ClassifyAnswer, Modelgate, ModelgateError } from './index.ts'

const USAGE = `Usage:
  modelgate classify <file|url>... [--model resnet] [--topk 5] [--version V] [--json]
  modelgate models [--json]
Environment: MODELGATE_URL (default http://127.0.0.1:8080), MODELGATE_API_KEY.`

/** What to do about each code (docs/errors.md), for the one line an error gets. */
const WHAT_TO_DO: Record<string, string> = {
  AUTH_REQUIRED: 'set MODELGATE_API_KEY to an API key',
  AUTH_INVALID: 'MODELGATE_API_KEY is not a valid key: get one with `pnpm keys create`',
  FORBIDDEN_MODEL: 'use a model this key may call, or another key',
  MODEL_NOT_FOUND: 'list the models with `modelgate models`',
  MODEL_VERSION_NOT_FOUND: 'pin a version the model serves (`modelgate models`), or leave --version out',
  MODEL_UNAVAILABLE: 'try again later, or another model',
  RATE_LIMITED: 'wait, or ask for a key with a higher limit',
  IMAGE_UNSUPPORTED_TYPE: 'send a JPEG, PNG, WebP, GIF, AVIF or TIFF image',
  IMAGE_UNDECODABLE: 'the file is damaged or cut short',
  IMAGE_TOO_LARGE: 'send a smaller image',
  PAYLOAD_TOO_LARGE: 'send a smaller image, or its URL',
  IMAGE_URL_FORBIDDEN: 'use a public http(s) URL',
  IMAGE_URL_FAILED: 'check that the URL opens an image',
  NETWORK: 'check MODELGATE_URL and that the gateway runs',
  TIMEOUT: 'the gateway or the model is slow: try again',
  INPUT_INVALID: 'give an image file or an http(s) URL'
}

class UsageError extends Error {}

const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
const err = (line: string): void => { process.stderr.write(`${line}\n`) }

function errorLine (input: string | undefined, e: ModelgateError): string {
  const todo = WHAT_TO_DO[e.code] ?? (e.status >= 500 ? 'try again later' : 'see docs/errors.md')
  return `modelgate: ${input === undefined ? '' : `${input}: `}${e.code}: ${e.detail} (${todo})`
}

const BAR_WIDTH = 24
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

/** A probability as a bar of BAR_WIDTH cells, in eighths of a cell. */
function bar (probability: number): string {
  const eighths = Math.round(Math.min(1, Math.max(0, probability)) * BAR_WIDTH * 8)
  return ('█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!).padEnd(BAR_WIDTH)
}

function table (input: string, answer: ClassifyAnswer, ms: number): string[] {
  const width = Math.max(...answer.predictions.map((p) => p.label.length))
  return [
    `${input}: ${answer.model.id} ${answer.model.version} (${answer.model.name}), ${Math.round(ms)} ms`,
    ...answer.predictions.map((p) => `  ${p.label.padEnd(width)}  ${bar(p.probability)} ${(p.probability * 100).toFixed(1).padStart(5)} %`)
  ]
}

async function classify (mg: Modelgate, inputs: string[], opts: { model: string, topk?: number, version?: string, json: boolean }): Promise<number> {
  if (inputs.length === 0) throw new UsageError('classify needs at least one image file or URL.')
  const results: Array<{ lines: string[], error?: string } | undefined> = inputs.map(() => undefined)
  const progress = inputs.length > 3 && process.stderr.isTTY === true
  let next = 0
  let done = 0
  let printed = 0
  // Results print in input order, each as soon as those before it are done.
  const flush = (): void => {
    while (printed < results.length && results[printed] !== undefined) {
      const { lines, error } = results[printed]!
      if (progress) process.stderr.write('\r\x1b[2K')
      if (error !== undefined) err(error)
      for (const line of lines) out(line)
      printed++
    }
    if (progress && done < inputs.length) process.stderr.write(`\rclassified ${done}/${inputs.length}`)
  }
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++
      const input = inputs[i]!
      const started = performance.now()
      try {
        const answer = await mg.classify(opts.model, input, { ...(opts.topk === undefined ? {} : { topk: opts.topk }), ...(opts.version === undefined ? {} : { version: opts.version }) })
        results[i] = { lines: opts.json ? [JSON.stringify(answer)] : table(/^https?:/.test(input) ? input : basename(input), answer, performance.now() - started) }
      } catch (e) {
        if (!(e instanceof ModelgateError)) throw e
        results[i] = { lines: [], error: errorLine(inputs.length > 1 ? input : undefined, e) }
      }
      done++
      flush()
    }
  }
  await Promise.all(Array.from({ length: Math.min(4, inputs.length) }, worker))
  const failed = results.filter((r) => r?.error !== undefined).length
  if (inputs.length > 3) err(`classified ${inputs.length - failed} of ${inputs.length} images${failed === 0 ? '' : `; ${failed} failed`}`)
  return failed === 0 ? 0 : 1
}

async function models (mg: Modelgate, json: boolean): Promise<number> {
  const list = await mg.models()
  if (json) {
    out(JSON.stringify(list))
    return 0
  }
  const rows = list.models.map((m) => [m.id, m.version, m.status, m.name ?? '', m.input === undefined ? '' : `${m.input.width}x${m.input.height}`, m.classes === undefined ? '' : `${m.classes} classes`])
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]!.length))) ?? []
  for (const row of rows) out(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())
  return 0
}

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string', default: 'resnet' },
        topk: { type: 'string' },
        version: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values, positionals: [command, ...rest] } = parsed
  if (values.help === true) {
    out(USAGE)
    return 0
  }
  const mg = new Modelgate({ baseUrl: process.env.MODELGATE_URL ?? 'http://127.0.0.1:8080', ...(process.env.MODELGATE_API_KEY === undefined ? {} : { apiKey: process.env.MODELGATE_API_KEY }) })
  if (command === 'models') {
    if (rest.length > 0) throw new UsageError(`models takes no arguments (got ${rest.join(' ')}).`)
    return await models(mg, values.json)
  }
  if (command !== 'classify') throw new UsageError(command === undefined ? 'No command given.' : `Unknown command "${command}".`)
  let topk: number | undefined
  if (values.topk !== undefined) {
    topk = Number(values.topk)
    if (!Number.isInteger(topk) || topk < 1) throw new UsageError(`--topk must be a whole number of 1 or more (got "${values.topk}").`)
  }
  return await classify(mg, rest, { model: values.model, json: values.json, ...(topk === undefined ? {} : { topk }), ...(values.version === undefined ? {} : { version: values.version }) })
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (e: unknown) => {
  if (e instanceof UsageError) {
    err(`modelgate: ${e.message}\n\n${USAGE}`)
    process.exitCode = 2
  } else if (e instanceof ModelgateError) {
    err(errorLine(undefined, e))
    process.exitCode = 1
  } else {
    err(`modelgate: ${(e as Error).stack ?? String(e)}`)
    process.exitCode = 1
  }
})
