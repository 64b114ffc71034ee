// `pnpm bench:gateway`: what the gateway costs, side by side in one run. In front of a trivial upstream
// (bench/trivial-upstream.ts): directly, through the full gateway (API key, rate limits, access log to
// a file), with 20 % and 100 % of it mirrored to a shadow (a second trivial upstream), through a bare
// @fastify/http-proxy and through nginx, and with 2 gateway workers against nginx with 2; then a real model
// service (resnet-int8) directly and through the gateway. Saturation by wrk when installed (else
// autocannon); latency at a fixed rate by an open loop. The goals' ratios come from side-by-side runs:
// short saturating runs of the two targets in alternation, the median of the pairs' ratios (this
// machine's speed drifts by tens of percent within minutes, more than the differences measured).
// Loopback only; every load is bounded in time and count. Prints a table and writes it into docs/benchmarks.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { createPoster } from './http-client.ts'
import { fmt, replaceSection } from './measure.ts'
import { startNginx } from './nginx.ts'
import { type Saturation, hasWrk, wrk } from './wrk.ts'
import { runPaced } from './paced-load.ts'
import { type Running, childPids, cpuMs, freePort, isOk, startGateway, startScript, startService, track, waitUntil } from './processes.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const RATE = Number(process.env.BENCH_RATE ?? 1000)
const MODEL_CONNECTIONS = Number(process.env.BENCH_MODEL_CONNECTIONS ?? 8)
const MODEL_RATE = Number(process.env.BENCH_MODEL_RATE ?? 20)
// Rounds over every target, each figure the best of them: other work on a shared machine only slows.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
// Side by side: this many pairs of runs of this many seconds each.
const PAIRS = Number(process.env.BENCH_PAIRS ?? 16)
const PAIR_SECONDS = Number(process.env.BENCH_PAIR_SECONDS ?? 2)
const MODELS_DIR = process.env.MODELS_DIR ?? fileURLToPath(new URL('../../shared/models/', import.meta.url))
const PHOTO = readFileSync(fileURLToPath(new URL('../../shared/images/cat_720p.jpg', import.meta.url)))
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url))
const JSON_BODY = Buffer.from('{"url":"http://127.0.0.1:1/cat.jpg"}')

interface Row { upstream: string, path: string, perSecond: number, cpuUs: number, p50Ms: number, p99Ms: number, rate: number, errors: number }
const rows: Row[] = []

const LOADER = hasWrk() ? 'wrk' : 'autocannon'

async function saturate (url: string, opts: { body: Buffer, headers: Record<string, string>, connections: number }, seconds: number): Promise<Saturation> {
  if (LOADER === 'wrk') return await wrk(url, { ...opts, seconds })
  const result = await autocannon({ url, method: 'POST', headers: opts.headers, body: opts.body, connections: opts.connections, pipelining: 1, duration: seconds, maxOverallRequests: 5_000_000 })
  return { ok: result['2xx'], seconds: result.duration, failed: result.non2xx + result.errors + result.timeouts }
}

interface Target { name: string, url: string, pids: () => number[], load: { body: Buffer, headers: Record<string, string>, connections: number } }
interface Ratio { median: number, min: number, max: number }
interface Comparison { of: string, against: string, cpu: Ratio, perSecond: Ratio }
const comparisons: Comparison[] = []

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const spread = (values: number[]): Ratio => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })

/** A saturating run, and the CPU time `target.pids` used per answered request meanwhile. */
async function saturatedRun (target: Pick<Target, 'url' | 'pids' | 'load'>, seconds: number): Promise<{ perSecond: number, cpuUs: number, failed: number }> {
  const cpu = (): number => target.pids().reduce((sum, pid) => sum + cpuMs(pid), 0)
  const before = cpu()
  const run = await saturate(target.url, target.load, seconds)
  return { perSecond: run.ok / run.seconds, cpuUs: (cpu() - before) * 1000 / Math.max(1, run.ok), failed: run.failed }
}

/** `of` against `against`: PAIRS pairs of saturating runs in alternation (which goes first alternates too); ratios of/against. */
async function sideBySide (of: Target, against: Target): Promise<void> {
  for (const target of [of, against]) await saturate(target.url, target.load, 1)
  const cpu: number[] = []
  const perSecond: number[] = []
  for (let i = 0; i < PAIRS; i++) {
    const first = await saturatedRun(i % 2 === 0 ? of : against, PAIR_SECONDS)
    const second = await saturatedRun(i % 2 === 0 ? against : of, PAIR_SECONDS)
    const [a, b] = i % 2 === 0 ? [first, second] : [second, first]
    cpu.push(a.cpuUs / b.cpuUs)
    perSecond.push(a.perSecond / b.perSecond)
  }
  const result = { of: of.name, against: against.name, cpu: spread(cpu), perSecond: spread(perSecond) }
  comparisons.push(result)
  console.error(`${of.name} / ${against.name}, ${PAIRS} pairs: CPU per request ${range(result.cpu)}, req/s ${range(result.perSecond)}`)
}
const range = (r: Ratio): string => `${fmt(r.median, 2)}x (${fmt(r.min, 2)}-${fmt(r.max, 2)})`

/** `pids`: the processes whose CPU time per request is reported (the proxy's, or the upstream itself when direct). */
async function measure (upstream: string, path: string, url: string, pids: () => number[], opts: { body: Buffer, headers: Record<string, string>, connections: number, rate: number }): Promise<void> {
  const client = createPoster(url, opts.connections)
  if (await client.post(opts.body, opts.headers) !== 200) throw new Error(`${path}: ${url} does not answer 200`)
  await saturate(url, opts, 1)
  const saturated = await saturatedRun({ url, pids, load: opts }, SECONDS)
  const paced = await runPaced(async () => (await client.post(opts.body, opts.headers)) === 200, { rate: opts.rate, seconds: SECONDS, maxInFlight: opts.connections * 4 })
  client.close()
  const row = {
    upstream,
    path,
    rate: opts.rate,
    perSecond: saturated.perSecond,
    cpuUs: saturated.cpuUs,
    p50Ms: paced.p50Ms,
    p99Ms: paced.p99Ms,
    errors: saturated.failed + paced.errors
  }
  const best = rows.find((r) => r.upstream === upstream && r.path === path)
  if (best === undefined) rows.push({ ...row })
  else Object.assign(best, { perSecond: Math.max(best.perSecond, row.perSecond), cpuUs: Math.min(best.cpuUs, row.cpuUs), p50Ms: Math.min(best.p50Ms, row.p50Ms), p99Ms: Math.min(best.p99Ms, row.p99Ms), errors: best.errors + row.errors })
  console.error(`${upstream.padEnd(18)} ${path.padEnd(34)} ${fmt(row.perSecond, 0).padStart(7)} req/s  ${fmt(row.cpuUs, 0).padStart(5)} µs CPU/req   at ${opts.rate}/s: p50 ${fmt(row.p50Ms, 2)} ms  p99 ${fmt(row.p99Ms, 2)} ms${row.errors > 0 ? `  errors ${row.errors}` : ''}`)
}

const tmp = mkdtempSync(join(tmpdir(), 'mg-bench-gateway-'))
const running: Array<Pick<Running, 'stop'>> = []
let logLines = 0
try {
  const upstream = await startScript('trivial-upstream.ts', {}, '/readyz')
  running.push(upstream)
  const twin = await startScript('trivial-upstream.ts', {}, '/readyz')
  running.push(twin)
  const model = await startService('resnet-int8', `${MODELS_DIR}resnet-int8`)
  running.push(model)
  const echo = { stable: { version: '1.0.0', replicas: [upstream.url] } }
  const gateway = await startGateway(join(tmp, 'gateway'), {
    models: {
      echo,
      'echo-shadow-20': { ...echo, shadow: { model: 'twin', percent: 20 } },
      'echo-shadow-100': { ...echo, shadow: { model: 'twin', percent: 100 } },
      twin: { stable: { version: '1.0.0', replicas: [twin.url] } },
      'resnet-int8': { stable: { version: '2.0.0', replicas: [model.url] } }
    }
  })
  running.push(gateway)
  const workers = await startGateway(join(tmp, 'gateway-workers'), { models: { echo } }, { GATEWAY_WORKERS: '2' })
  running.push(workers)
  const jsonPost = { method: 'POST', body: JSON_BODY, headers: { 'content-type': 'application/json' } }
  const bare = await startScript('bare-proxy.ts', { UPSTREAM: upstream.url }, '/model/echo/predict', jsonPost)
  running.push(bare)
  const bare2 = await startScript('bare-proxy.ts', { UPSTREAM: upstream.url, WORKERS: '2' }, '/model/echo/predict', jsonPost)
  running.push(bare2)
  const nginxPort = await freePort()
  const nginx = await startNginx(join(tmp, 'nginx'), nginxPort, upstream.port)
  running.push({ stop: track(nginx.child) })
  const nginxUrl = `http://127.0.0.1:${nginxPort}`
  await waitUntil('nginx', nginx.child, async () => await isOk(`${nginxUrl}/model/echo/predict`, jsonPost))
  const nginx2Port = await freePort()
  const nginx2 = await startNginx(join(tmp, 'nginx-2'), nginx2Port, upstream.port, 2)
  running.push({ stop: track(nginx2.child) })
  const nginx2Url = `http://127.0.0.1:${nginx2Port}`
  await waitUntil('nginx with 2 workers', nginx2.child, async () => await isOk(`${nginx2Url}/model/echo/predict`, jsonPost))
  // A process and its children (nginx's workers under its master, the gateway's under its primary).
  const family = (pid: number) => (): number[] => [pid, ...childPids(pid)]
  const only = (pid: number) => (): number[] => [pid]

  const trivial = { body: JSON_BODY, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, rate: RATE }
  const key = { 'x-api-key': gateway.key }
  const real = { body: PHOTO, headers: { 'content-type': 'image/jpeg' }, connections: MODEL_CONNECTIONS, rate: MODEL_RATE }
  for (let round = 1; round <= ROUNDS; round++) {
    console.error(`round ${round} of ${ROUNDS}`)
    await measure('trivial upstream', 'direct', `${upstream.url}/predict`, only(upstream.pid), trivial)
    await measure('trivial upstream', 'gateway (key, limits, logs)', `${gateway.url}/model/echo/predict`, only(gateway.pid), { ...trivial, headers: { ...trivial.headers, ...key } })
    for (const percent of [20, 100]) await measure('trivial upstream', `gateway, shadow ${percent} %`, `${gateway.url}/model/echo-shadow-${percent}/predict`, only(gateway.pid), { ...trivial, headers: { ...trivial.headers, ...key } })
    await measure('trivial upstream', 'bare @fastify/http-proxy', `${bare.url}/model/echo/predict`, only(bare.pid), trivial)
    await measure('trivial upstream', 'nginx (keep-alive)', `${nginxUrl}/model/echo/predict`, family(nginx.child.pid ?? 0), trivial)
    await measure('trivial upstream', 'gateway, GATEWAY_WORKERS=2', `${workers.url}/model/echo/predict`, family(workers.pid), { ...trivial, headers: { ...trivial.headers, 'x-api-key': workers.key } })
    await measure('trivial upstream', 'nginx, 2 workers', `${nginx2Url}/model/echo/predict`, family(nginx2.child.pid ?? 0), trivial)
    await measure('resnet-int8', 'direct', `${model.url}/predict`, only(model.pid), real)
    await measure('resnet-int8', 'gateway (key, limits, logs)', `${gateway.url}/model/resnet-int8/predict`, only(gateway.pid), { ...real, headers: { ...real.headers, ...key } })
  }
  const target = (name: string, url: string, pids: () => number[], headers: Record<string, string> = {}): Target =>
    ({ name, url: `${url}/model/echo/predict`, pids, load: { ...trivial, headers: { ...trivial.headers, ...headers } } })
  const nginx2Target = target('nginx, 2 workers', nginx2Url, family(nginx2.child.pid ?? 0))
  await sideBySide(target('gateway', gateway.url, only(gateway.pid), key), target('bare proxy', bare.url, only(bare.pid)))
  await sideBySide(target('gateway, 2 workers', workers.url, family(workers.pid), { 'x-api-key': workers.key }), nginx2Target)
  await sideBySide(target('bare proxy, 2 workers', bare2.url, family(bare2.pid)), nginx2Target)
  logLines = readFileSync(gateway.logFile, 'utf8').split('\n').filter((l) => l.includes('"request completed"')).length
} finally {
  for (const p of running.reverse()) await p.stop().catch(() => {})
  rmSync(tmp, { recursive: true, force: true })
}

const row = (upstream: string, path: string): Row => rows.find((r) => r.upstream === upstream && r.path.startsWith(path))!
const direct = row('trivial upstream', 'direct')
const gw = row('trivial upstream', 'gateway (')
const shadow20 = row('trivial upstream', 'gateway, shadow 20')
const shadow100 = row('trivial upstream', 'gateway, shadow 100')
const bare = row('trivial upstream', 'bare')
const nginx = row('trivial upstream', 'nginx (')
const workers2 = row('trivial upstream', 'gateway, GATEWAY_WORKERS=2')
const nginx2 = row('trivial upstream', 'nginx, 2')
const ratio = (a: number, b: number): string => `${fmt(a / b, 2)}x`
const compared = (of: string): Comparison => comparisons.find((c) => c.of === of)!
const perProxy = compared('gateway')
const perWorkers = compared('gateway, 2 workers')
const bareWorkers = compared('bare proxy, 2 workers')
const plus = (n: number): string => `${n >= 0 ? '+' : ''}${fmt(n, 2)} ms`
const verdict = (ok: boolean): string => ok ? 'met' : 'not met'
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm bench:gateway\` (Node ${process.versions.node}, ${cpus().length} cores, every process on this one machine, loopback).`,
  `${ROUNDS} rounds over every target; each figure is the best of its rounds, errors are summed. ` +
  `req/s: at saturation, ${LOADER === 'wrk' ? 'wrk (one thread, a process of its own)' : 'autocannon in the benchmark\'s process'}, ${CONNECTIONS} connections (${MODEL_CONNECTIONS} for resnet-int8), ${SECONDS} s. ` +
  'CPU µs/req: CPU time (/proc) the proxy\'s processes (or, direct, the upstream) used per request during that run: less sensitive to other load than req/s. ' +
  `p50/p99: at a fixed ${RATE} req/s (${MODEL_RATE} for resnet-int8), an open loop timing each request in fractions of a ms, ${SECONDS} s. ` +
  'Each proxy is one process (nginx: one worker) but in the two rows with 2 workers (nginx: a master and 2 workers; the gateway: its primary and 2 workers, rate limits counted by the primary); the gateway checks an API key, applies its rate limits and writes one JSON log line per request to a file ' +
  `(${logLines} lines this run). With a shadow, each sampled request is sent again to a second trivial upstream after its answer, and compared (in the gateway's process, so in its CPU figure). The load generator shares the cores with what it measures, and the machine is shared: figures are noisy, compare ratios.`,
  '',
  `Side by side: ${PAIRS} pairs of saturating runs of ${PAIR_SECONDS} s (${LOADER}, ${CONNECTIONS} connections), the two targets in alternation and which goes first alternating too; each pair's ratio, then their median (and range). The goals are read from these.`,
  '',
  '| side by side | CPU per request | req/s |',
  '| --- | ---: | ---: |',
  ...comparisons.map((c) => `| ${c.of} / ${c.against} | ${range(c.cpu)} | ${range(c.perSecond)} |`),
  '',
  '| upstream | path | req/s | CPU µs/req | p50 ms | p99 ms | errors |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.upstream} | ${r.path} | ${fmt(r.perSecond, 0)} | ${fmt(r.cpuUs, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.errors} |`),
  '',
  '| goal | measured | |',
  '| --- | --- | --- |',
  `| gateway (issues 5, 12) adds at most 0.5 ms at p50 at ${RATE} req/s | ${plus(gw.p50Ms - direct.p50Ms)} | ${verdict(gw.p50Ms - direct.p50Ms <= 0.5)} |`,
  `| gateway adds at most 2 ms at p99 at ${RATE} req/s | ${plus(gw.p99Ms - direct.p99Ms)} | ${verdict(gw.p99Ms - direct.p99Ms <= 2)} |`,
  `| gateway (issue 12): CPU per proxied request at most 1.25x the bare proxy's (side by side) | ${range(perProxy.cpu)} | ${verdict(perProxy.cpu.median <= 1.25)} |`,
  `| gateway (issue 12), one worker, reaches 0.8x the bare proxy's req/s (side by side) | ${range(perProxy.perSecond)} | ${verdict(perProxy.perSecond.median >= 0.8)} |`,
  `| gateway (issue 12), as many workers as nginx (2), reaches 0.5x nginx's req/s (side by side) | ${range(perWorkers.perSecond)} of nginx | ${verdict(perWorkers.perSecond.median >= 0.5)} |`,
  `| (reference) the bare proxy with 2 workers against nginx with 2 (side by side) | ${range(bareWorkers.perSecond)} of nginx | |`,
  `| (reference) best of rounds: gateway against the bare proxy, CPU per request / req/s | ${ratio(gw.cpuUs, bare.cpuUs)} / ${ratio(gw.perSecond, bare.perSecond)} | |`,
  `| (reference) best of rounds: 2 workers against nginx with 2 | ${ratio(workers2.perSecond, nginx2.perSecond)} | |`,
  `| (reference) one worker against nginx with one | ${ratio(gw.perSecond, nginx.perSecond)} of nginx | |`,
  `| (reference) bare proxy vs nginx: 0.28x measured beforehand with wrk | ${ratio(bare.perSecond, nginx.perSecond)} | |`,
  `| (reference) bare proxy adds 0.8 ms at p50, measured beforehand | ${plus(bare.p50Ms - direct.p50Ms)} | |`,
  `| shadow traffic (issue 14): 20 % mirrored adds at most 0.2 ms at p50 at ${RATE} req/s | ${plus(shadow20.p50Ms - gw.p50Ms)} | ${verdict(shadow20.p50Ms - gw.p50Ms <= 0.2)} |`,
  `| (reference) 100 % mirrored, at p50 / at p99 / CPU per request | ${plus(shadow100.p50Ms - gw.p50Ms)} / ${plus(shadow100.p99Ms - gw.p99Ms)} / ${fmt(shadow100.cpuUs, 0)} vs ${fmt(gw.cpuUs, 0)} µs | |`
]
const section = `## Gateway (\`pnpm bench:gateway\`)\n\n${lines.join('\n')}`
console.log(`\n${section}\n`)
writeFileSync(DOC, replaceSection(readFileSync(DOC, 'utf8'), 'bench-gateway', section))
