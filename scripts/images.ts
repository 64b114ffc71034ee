// `pnpm images build`: every image of the platform, in order, on this machine's Docker engine.
// See docs/operations.md, "Building the images".
import { parseArgs } from 'node:util'
import { buildImages, imageNames } from './images/build.ts'
import { ImagesError } from './images/docker.ts'

const USAGE = `Usage:
  pnpm images build [image...] [--models-from <folder|url>] [--node-image <image>] [--ca-file <file>] [--no-cache]
      Build the images (default: all of ${imageNames().join(', ')}), tagged
      $MODELGATE_IMAGE_PREFIX-<image>:$MODELGATE_TAG (default modelgate-<image>:local).
      --models-from  a mirror the model images bake their models from, instead of the model zoo: a folder or
                     an http(s) URL holding whole bundles (<id>/model.json and its files) or the zoo's file names
      --node-image   the Node image to build on (default node:24-bookworm-slim; without registry access,
                     make it with sudo infra/airgap/node-image.sh)
      --ca-file      a CA bundle for a TLS-inspecting proxy, handed to the builds as the BuildKit secret "ca"
                     (default: $NODE_EXTRA_CA_CERTS when set)
      --no-cache     rebuild every step
Environment: DOCKER, the docker command (default: the first on PATH that builds with BuildKit).`

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'models-from': { type: 'string' },
        'node-image': { type: 'string' },
        'ca-file': { type: 'string' },
        'no-cache': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    throw new ImagesError(`${(err as Error).message}\n\n${USAGE}`, 2)
  }
  const { values, positionals: [command, ...names] } = parsed
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (command !== 'build') throw new ImagesError(`${command === undefined ? 'No command' : `Unknown command "${command}"`}.\n\n${USAGE}`, 2)
  const built = await buildImages({
    names,
    // pnpm runs scripts from the repository root; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    modelsFrom: values['models-from'],
    nodeImage: values['node-image'],
    caFile: values['ca-file'],
    noCache: values['no-cache']
  })
  const width = Math.max(...built.map((image) => image.ref.length))
  for (const image of built) {
    process.stderr.write(`${image.ref.padEnd(width)}  ${(image.bytes / 1e6).toFixed(1).padStart(7)} MB  built in ${image.seconds.toFixed(1)} s\n`)
  }
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`${err instanceof ImagesError ? err.message : (err as Error).stack ?? String(err)}\n`)
  process.exitCode = err instanceof ImagesError ? err.exitCode : 1
})
