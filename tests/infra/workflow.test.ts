// The users' CI workflow (.github/workflows/ci.yml): it runs the same test line as this repository's
// CI, audits the production dependencies, and builds every image compose builds, from the same
// Dockerfiles with the same build arguments, pushing only outside pull requests.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ROOT } from '../helpers/spawn.ts'
import { MODEL_IDS, composeFile } from './platform.ts'

interface Step { name?: string, uses?: string, run?: string, with?: Record<string, string>, env?: Record<string, string>, 'working-directory'?: string, if?: string }
interface Job { 'runs-on': string, container?: string, needs?: string[], defaults?: { run?: { 'working-directory'?: string } }, steps: Step[], permissions?: Record<string, string> }

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as { on: unknown, jobs: Record<string, Job> }
const jobs = workflow.jobs
/** A GitHub Actions expression as written in the file: gh('env.PUSH') is ${{ env.PUSH }}. */
const gh = (expression: string): string => '$' + `{{ ${expression} }}`

describe('.github/workflows/ci.yml', () => {
  it('runs the test line of this repository\'s own CI, with the test kit beside the checkout', () => {
    const ciLine = readFileSync(join(ROOT, '.ci/run'), 'utf8').split('\n').find((l) => l.includes('pnpm test'))
    const test = jobs.test!
    expect(test.steps.map((s) => s.run?.trim())).toContain(ciLine)
    const checkout = test.steps.find((s) => s.uses?.startsWith('actions/checkout'))
    expect(test.defaults?.run?.['working-directory']).toBe(checkout?.with?.path)
    // ../shared from the checkout: the kit is unpacked beside it.
    const kit = test.steps.find((s) => s.run?.includes('tar -xz -C shared'))
    expect(kit?.['working-directory']).toBe('.')
    expect(test.steps.some((s) => s.uses?.startsWith('azure/setup-kubectl'))).toBe(true)
  })

  it('runs the container suite on the runner\'s Docker, not in the test job\'s container', () => {
    expect(jobs.test!.steps.find((s) => s.run?.includes('pnpm test'))?.env?.SKIP_CONTAINER_SUITE).toBeTruthy()
    const containers = jobs.containers!
    expect(containers.container).toBeUndefined()
    expect(containers.steps.map((s) => s.run ?? '').join('\n')).toContain('vitest run --project containers')
    const checkout = containers.steps.find((s) => s.uses?.startsWith('actions/checkout'))
    expect(containers.defaults?.run?.['working-directory']).toBe(checkout?.with?.path)
    expect(containers.steps.find((s) => s.run?.includes('tar -xz -C shared'))?.['working-directory']).toBe('.')
  })

  it('audits the production dependencies', () => {
    expect(jobs.audit!.steps.map((s) => s.run ?? '').join('\n')).toMatch(/pnpm audit --prod$/m)
  })

  it('builds every image compose builds, from the same Dockerfile and arguments, after the tests pass', () => {
    const images = jobs.images!
    expect(images.needs).toEqual(['test', 'containers', 'audit'])
    expect(images.permissions).toMatchObject({ packages: 'write' })
    const builds = images.steps.filter((s) => s.uses?.startsWith('docker/build-push-action'))
    const built = builds.map((s) => {
      const args = Object.fromEntries((s.with?.['build-args'] ?? '').trim().split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string]))
      return { file: s.with?.file, model: args.MODEL_ID, base: args.BASE_IMAGE, push: s.with?.push }
    })
    for (const [name, svc] of Object.entries(composeFile().services).filter(([, s]) => s.build !== undefined)) {
      const model = svc.build?.args?.MODEL_ID
      const match = built.find((b) => b.file === svc.build?.dockerfile && b.model === model)
      expect(match, `${name} is not built`).toBeDefined()
      if (model !== undefined) expect(match?.base).toBe(gh('steps.names.outputs.base-ref'))
    }
    expect(built.filter((b) => b.model !== undefined).map((b) => b.model).sort()).toEqual(MODEL_IDS)
    for (const b of built) expect(b.push).toBe(gh("env.PUSH == 'true'"))
  })

  it('pushes to GHCR only outside pull requests', () => {
    const images = jobs.images! as Job & { env: Record<string, string> }
    expect(images.env.PUSH).toBe(gh("github.event_name != 'pull_request'"))
    const login = images.steps.find((s) => s.uses?.startsWith('docker/login-action'))
    expect(login?.with?.registry).toBe('ghcr.io')
    expect(login?.if).toBe("env.PUSH == 'true'")
  })
})
