// The real platform the gateway cases run against: one resnet service and a gateway in front of it,
// with API keys, anonymous sessions (an RS256 key) and an identity provider's JWKS on loopback.
import { type JwksServer, startJwksServer } from '../../gateway/test/jwt-fixtures.ts'
import { registerCleanup } from '../helpers/cleanup.ts'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { IDP_AUDIENCE, IDP_ISSUER, type TokenKit, createTokenKit } from './forge-token.ts'

/** The gateway's limits in this suite: small, so the over-limit cases stay small and quick. */
export const GATEWAY_LIMITS = { maxBodyBytes: 1024 * 1024, requestTimeoutMs: 1500 }

export interface Platform {
  service: ProcessHandle
  gateway: GatewayHandle
  jwks: JwksServer
  tokens: TokenKit
  key: string
  /** Requests the model service has answered on POST /predict, from its own /metrics. */
  servicePredictions: () => Promise<number>
}

export async function startPlatform (): Promise<Platform> {
  const tokens = createTokenKit()
  const jwks = await startJwksServer(tokens.idpJwks as JwksServer['keys'])
  registerCleanup(async () => { await jwks.close() })
  const service = await startService('resnet')
  const gateway = await startGateway({
    upstreams: { resnet: [service.url] },
    env: {
      MAX_BODY_BYTES: String(GATEWAY_LIMITS.maxBodyBytes),
      REQUEST_TIMEOUT_MS: String(GATEWAY_LIMITS.requestTimeoutMs),
      HEALTH_INTERVAL_MS: '500',
      RATE_LIMIT_PER_MIN: '100000',
      ANON_RATE_LIMIT_PER_MIN: '100000',
      SESSION_SIGNING_KEY: tokens.sessionSigningKey,
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: IDP_ISSUER,
      AUTH_AUDIENCE: IDP_AUDIENCE
    }
  })
  const { secret } = await createKey(gateway.env)
  return { service, gateway, jwks, tokens, key: secret, servicePredictions: async () => await predictCount(service.url) }
}

async function predictCount (serviceUrl: string): Promise<number> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text()
  return text.split('\n')
    .filter((line) => line.startsWith('http_requests_total{') && line.includes('route="/predict"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
}
