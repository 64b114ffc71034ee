// Reads the Dockerfiles in infra/docker with a real parser (dockerfile-ast, the Docker language
// server's) and works out what an image built from one would hold: its stages, and the final stage's
// environment, user, working folder, command and health check, with build arguments substituted.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { ROOT } from '../helpers/spawn.ts'

export const DOCKER_DIR = join(ROOT, 'infra/docker')

export interface Step {
  keyword: string
  /** The arguments as written, flags left out. */
  args: string
  flags: Record<string, string>
  /** ENV and ARG: name → value as written (ARG without a default: undefined). */
  properties: Array<[string, string | undefined]>
}

export interface Stage {
  from: string
  name: string | undefined
  steps: Step[]
}

export interface ParsedDockerfile {
  file: string
  text: string
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>
  stages: Stage[]
  /** The parser's diagnostics (unknown instructions, bad flags, malformed JSON…). */
  problems: string[]
}

function toStep (i: Instruction): Step {
  const withFlags = i as Instruction & { getFlags?: () => Array<{ getName: () => string, getValue: () => string | null }> }
  const withProps = i as Instruction & {
    getProperties?: () => Array<{ getName: () => string, getValue: () => string | null }>
    getProperty?: () => { getName: () => string, getValue: () => string | null } | null
  }
  const props = withProps.getProperties?.() ?? (withProps.getProperty?.() == null ? [] : [withProps.getProperty()!])
  return {
    keyword: i.getKeyword(),
    args: i.getArgumentsContent() ?? '',
    flags: Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? ''])),
    properties: props.map((p) => [p.getName(), p.getValue() ?? undefined])
  }
}

export function parseDockerfile (name: string): ParsedDockerfile {
  const file = join(DOCKER_DIR, name)
  const text = readFileSync(file, 'utf8')
  const steps = DockerfileParser.parse(text).getInstructions().map(toStep)
  const globalArgs: Record<string, string | undefined> = {}
  const stages: Stage[] = []
  for (const step of steps) {
    if (step.keyword === 'FROM') {
      const [from = '', as, stageName] = step.args.split(/\s+/)
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? stageName : undefined, steps: [] })
    } else if (stages.length === 0) {
      if (step.keyword === 'ARG') for (const [k, v] of step.properties) globalArgs[k] = v
    } else {
      stages.at(-1)?.steps.push(step)
    }
  }
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
  return { file, text, globalArgs, stages, problems }
}

/** Substitutes $VAR and ${VAR} as the Dockerfile frontend does (unknown: empty). */
export function expand (value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => vars[a ?? b ?? ''] ?? '')
}

export interface ImageConfig {
  env: Record<string, string>
  workdir: string
  user: string | undefined
  cmd: string[] | undefined
  /** HEALTHCHECK CMD in exec form, and its options (interval, timeout, start-period, retries). */
  healthcheck: { cmd: string[], options: Record<string, string> } | undefined
  expose: string[]
}

export const EMPTY_IMAGE: ImageConfig = { env: {}, workdir: '/', user: undefined, cmd: undefined, healthcheck: undefined, expose: [] }

function execForm (args: string, where: string): string[] {
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${where} is not in exec (JSON array) form: ${args}`)
  return parsed
}

/**
 * The configuration of the image a stage builds (default: the last), on top of `parent` (the image
 * its FROM names, when that is one of ours), with `buildArgs` as given to `docker build`.
 */
export function imageConfig (df: ParsedDockerfile, buildArgs: Record<string, string>, parent: ImageConfig = EMPTY_IMAGE, stage = df.stages.at(-1)): ImageConfig {
  if (stage === undefined) throw new Error(`${df.file} has no FROM`)
  const config: ImageConfig = { ...parent, env: { ...parent.env }, expose: [...parent.expose] }
  const args: Record<string, string | undefined> = {}
  const vars = (): Record<string, string | undefined> => ({ ...args, ...config.env })
  for (const step of stage.steps) {
    if (step.keyword === 'ARG') {
      for (const [k, v] of step.properties) args[k] = buildArgs[k] ?? (v === undefined ? undefined : expand(v, vars()))
    } else if (step.keyword === 'ENV') {
      for (const [k, v] of step.properties) config.env[k] = expand(v ?? '', vars())
    } else if (step.keyword === 'WORKDIR') {
      const dir = expand(step.args, vars())
      config.workdir = dir.startsWith('/') ? dir : join(config.workdir, dir)
    } else if (step.keyword === 'USER') {
      config.user = expand(step.args, vars())
    } else if (step.keyword === 'CMD') {
      config.cmd = execForm(step.args, `${df.file}: CMD`)
    } else if (step.keyword === 'EXPOSE') {
      config.expose.push(...expand(step.args, vars()).split(/\s+/))
    } else if (step.keyword === 'HEALTHCHECK') {
      const cmd = /^CMD\s+(.*)$/s.exec(step.args)?.[1]
      if (cmd === undefined) throw new Error(`${df.file}: HEALTHCHECK without CMD`)
      config.healthcheck = { cmd: execForm(cmd, `${df.file}: HEALTHCHECK CMD`), options: step.flags }
    }
  }
  return config
}

/** The sources a stage copies from the build context (COPY without --from), build arguments substituted. */
export function contextSources (stage: Stage, vars: Record<string, string>): string[] {
  return stage.steps
    .filter((s) => s.keyword === 'COPY' && s.flags.from === undefined)
    .flatMap((s) => expand(s.args, vars).split(/\s+/).slice(0, -1))
}

/** The RUN commands of a stage on one line each, continuations joined. */
export function runLines (stage: Stage): string[] {
  return stage.steps.filter((s) => s.keyword === 'RUN').map((s) => s.args.replace(/\\\n/g, ' ').replace(/\s+/g, ' '))
}
