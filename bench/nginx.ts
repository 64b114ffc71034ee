// nginx as a reverse proxy for `pnpm bench:gateway`: one worker (or `workers`), keep-alive to the upstream and to
// clients, no access log; config, pid and temp files in a temporary folder, run in the foreground.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx'

export function nginxConfig (dir: string, port: number, upstreamPort: number, workers = 1): string {
  return `worker_processes ${workers};
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  upstream model {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 16m;
    location = /model/echo/predict {
      proxy_pass http://model/predict;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`
}

/** Starts nginx in `dir` (created) and resolves once it runs; stop() ends it with SIGTERM. */
export async function startNginx (dir: string, port: number, upstreamPort: number, workers = 1): Promise<{ child: ChildProcess, stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true })
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConfig(dir, port, upstreamPort, workers))
  // -e: before reading the config nginx would open the system's error log.
  const child = spawn(NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
  return { child, stop }
}
