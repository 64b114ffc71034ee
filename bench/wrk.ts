// Saturation by wrk (Debian's `wrk`), when it is installed: a load generator in a process of its own,
// in C, so it takes less of the cores it measures than autocannon in the benchmark's process.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const WRK = process.env.WRK_BIN ?? '/usr/bin/wrk'
export const hasWrk = (): boolean => existsSync(WRK)

export interface Saturation { ok: number, seconds: number, failed: number }

/** POSTs `body` with `headers` over `connections` connections for `seconds` (one wrk thread); counts 2xx. */
export async function wrk (url: string, opts: { body: Buffer, headers: Record<string, string>, connections: number, seconds: number }): Promise<Saturation> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-wrk-'))
  try {
    writeFileSync(join(dir, 'body'), opts.body)
    const headers = Object.entries(opts.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n')
    writeFileSync(join(dir, 'post.lua'), `wrk.method = "POST"
local f = io.open(${JSON.stringify(join(dir, 'body'))}, "rb")
wrk.body = f:read("*all")
f:close()
${headers}
done = function (summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
`)
    const { stdout } = await promisify(execFile)(WRK, ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '-s', join(dir, 'post.lua'), url], { timeout: (opts.seconds + 30) * 1000 })
    const [requests, durationUs, non2xx, errors] = (/RESULT (\d+) (\d+) (\d+) (\d+)/.exec(stdout) ?? []).slice(1).map(Number)
    if (requests === undefined || durationUs === undefined) throw new Error(`wrk printed no result:\n${stdout}`)
    return { ok: requests - (non2xx ?? 0), seconds: durationUs / 1e6, failed: (non2xx ?? 0) + (errors ?? 0) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
