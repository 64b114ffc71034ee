// @fastify/helmet stays the source of the security headers, but its global hook rebuilds helmet's
// middleware for every request. Their values depend only on the options, so they are read once, at
// start, from a throwaway Fastify instance running the plugin, and then set as plain headers.
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import Fastify from 'fastify'

async function probeHeaders (options: FastifyHelmetOptions | undefined): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false })
  if (options !== undefined) await probe.register(helmet, { ...options, global: true })
  probe.get('/', async () => '')
  try {
    const res = await probe.inject({ method: 'GET', url: '/' })
    return Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name, String(value)]))
  } finally {
    await probe.close()
  }
}

/** The headers @fastify/helmet adds to an answer with these options, by lowercase name. */
export async function helmetHeaders (options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const plain = await probeHeaders(undefined)
  const secured = await probeHeaders(options)
  // By name: values such as `date` differ between the two answers.
  const added = Object.entries(secured).filter(([name]) => !(name in plain))
  if (added.length === 0) throw new Error('@fastify/helmet added no headers')
  return Object.fromEntries(added)
}
