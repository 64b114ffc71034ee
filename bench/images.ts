// `pnpm bench:images [--models-from <mirror>]`: each image's size, cold, warm and code-only build
// times, and how soon each model container is ready, on this machine's Docker engine. Writes the
// figures into docs/benchmarks.md. Builds under the tag `bench` (the `local` images stay), but the cold
// build empties the engine's whole build cache first (`docker builder prune --all`).
import { cpus } from 'node:os'
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { imageNames, imageRef, modelIds } from '../scripts/images/build.ts'
import { engineVersion, findDocker, inspectImage, run } from '../scripts/images/docker.ts'
import { copyCheckout, imagesBuild } from '../tests/containers/images.ts'
import { fmt, percentile, replaceSection } from './measure.ts'
import { freePort } from './processes.ts'

const DOC = new URL('../docs/benchmarks.md', import.meta.url)
const { values } = parseArgs({ options: { 'models-from': { type: 'string', default: new URL('../../shared/models', import.meta.url).pathname } } })
const mirror = resolve(process.env.INIT_CWD ?? process.cwd(), values['models-from'])
const env = { ...process.env, MODELGATE_TAG: 'bench' }
const ref = (name: string): string => imageRef(name, env)
const MODELS = modelIds()
const READY_RUNS = 3

const docker = await findDocker()
const engine = await engineVersion(docker)

/** `pnpm images build` under the bench tag; each image's build seconds, from its summary lines. */
async function build (args: string[], checkout?: string): Promise<Map<string, number>> {
  const res = await imagesBuild([...args, '--models-from', mirror], { env: { MODELGATE_TAG: 'bench' }, ...(checkout === undefined ? {} : { checkout }) })
  if (res.code !== 0) throw new Error(`pnpm images build ${args.join(' ')} failed:\n${res.output.slice(-3000)}`)
  const seconds = new Map<string, number>()
  for (const [, image, s] of res.output.matchAll(/^modelgate-(\S+):bench\s+[\d.]+ MB\s+built in ([\d.]+) s$/gm)) seconds.set(image!, Number(s))
  return seconds
}

console.error('bench:images: cold build (build cache emptied)…')
await run(docker.cli, ['image', 'rm', '--force', ...imageNames().map(ref), ref('models-mirror')], { env: docker.env })
await run(docker.cli, ['builder', 'prune', '--all', '--force'], { env: docker.env })
const cold = await build([])
console.error('bench:images: warm build (nothing changed)…')
const warm = await build([])
console.error('bench:images: a code-only change (services/model-server/src/app.ts), model images…')
const checkout = await copyCheckout((dir) => appendFileSync(join(dir, 'services/model-server/src/app.ts'), '\n// a code-only change\n'))
let codeOnly: Map<string, number>
try {
  codeOnly = await build(MODELS, checkout.dir)
} finally {
  checkout.remove()
}

const sizes = new Map(await Promise.all(imageNames().map(async (name) => [name, (await inspectImage(docker, ref(name))).size] as const)))

console.error('bench:images: time from docker run to /readyz 200…')
const ready = new Map<string, number[]>()
for (const id of MODELS) {
  const times: number[] = []
  for (let i = 0; i < READY_RUNS; i++) {
    const port = await freePort()
    const started = performance.now()
    // compose's hardening; host networking so this process reaches it on loopback.
    const container = (await run(docker.cli, ['run', '--detach', '--rm', '--network', 'host', '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges:true', '--init', '--env', `PORT=${port}`, '--env', 'HOST=127.0.0.1', ref(id)], { env: docker.env })).stdout.trim()
    try {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false)
        if (ok) break
        if (performance.now() - started > 60_000) throw new Error(`${id} not ready within 60 s`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      times.push(performance.now() - started)
    } finally {
      await run(docker.cli, ['rm', '--force', container], { env: docker.env })
    }
  }
  ready.set(id, times.sort((a, b) => a - b))
}
await run(docker.cli, ['image', 'rm', ...imageNames().map(ref), ref('models-mirror')], { env: docker.env })

const mb = (bytes: number): string => fmt(bytes / 1e6, 1)
const s = (seconds: number | undefined): string => fmt(seconds ?? Number.NaN, 1)
const verdict = (ok: boolean): string => ok ? 'met' : 'not met'
const base = sizes.get('base') ?? 0
const modelFile = (id: string): number => {
  const manifest = JSON.parse(readFileSync(join(mirror, id, 'model.json'), 'utf8')) as { file: string }
  return statSync(join(mirror, id, manifest.file)).size
}
const coldWithBase = (id: string): number => (cold.get('base') ?? 0) + (cold.get(id) ?? 0)
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm bench:images\` (Docker Engine ${engine}, ${cpus().length} cores, Node base image ` +
  'made by `infra/airgap/node-image.sh`, models baked from the shared bundles). Cold: the engine\'s build cache emptied first, so the ' +
  'npm packages are downloaded again (through this machine\'s proxy) and better-sqlite3 is compiled. Warm: the same build again. ' +
  'Code-only: one line added to `services/model-server/src/app.ts`, model images rebuilt. Ready: from `docker run` (compose\'s hardening) ' +
  `to the first 200 on \`/readyz\`, model loaded and warmed up; median of ${READY_RUNS}.`,
  '',
  '| image | size MB | over the base MB | cold s | warm s | code-only s |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...imageNames().map((name) => `| modelgate-${name} | ${mb(sizes.get(name) ?? 0)} | ${MODELS.includes(name) ? mb((sizes.get(name) ?? 0) - base) : ''} | ` +
    `${s(cold.get(name))} | ${s(warm.get(name))} | ${MODELS.includes(name) ? s(codeOnly.get(name)) : ''} |`),
  `| all six | | | ${s([...cold.values()].reduce((a, b) => a + b, 0))} | ${s([...warm.values()].reduce((a, b) => a + b, 0))} | |`,
  '',
  '| goal (issue 11) | model | measured | |',
  '| --- | --- | --- | --- |',
  ...MODELS.map((id) => `| a model image adds at most its model file + 5 MB to the base | ${id} | ${mb((sizes.get(id) ?? 0) - base)} MB for a ${mb(modelFile(id))} MB model | ${verdict((sizes.get(id) ?? 0) - base <= modelFile(id) + 5e6)} |`),
  ...MODELS.map((id) => {
    const rebuild = codeOnly.get(id) ?? Infinity
    const percent = (of: number): string => `${fmt(100 * rebuild / of, 0)} %`
    return `| a code-only rebuild takes under 20 % of the cold build | ${id} | ${s(rebuild)} s: ${percent(coldWithBase(id))} of ${s(coldWithBase(id))} s from nothing, ` +
      `${percent(cold.get(id) ?? Number.NaN)} of ${s(cold.get(id))} s on a built base | ${verdict(rebuild < 0.2 * coldWithBase(id))} |`
  }),
  ...MODELS.map((id) => {
    const times = ready.get(id) ?? []
    const median = percentile(times, 50)
    return `| a model container is ready within 3 s of \`docker run\` | ${id} | ${fmt(median / 1000, 2)} s (${times.map((t) => fmt(t / 1000, 2)).join(', ')}) | ${verdict(median <= 3000)} |`
  })
]
const section = `## Images (\`pnpm bench:images\`)\n\n${lines.join('\n')}`
console.log(`\n${section}\n`)
writeFileSync(DOC, replaceSection(readFileSync(DOC, 'utf8'), 'bench-images', section))
