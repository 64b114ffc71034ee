// The PostgreSQL key store: its contract against a real server, and two gateway processes sharing
// keys, revocations and usage through it.
import { beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore } from '../../gateway/src/auth/key-store-postgres.ts'
import { keyStoreContract } from '../../gateway/test/key-store-contract.ts'
import { registerCleanup } from '../helpers/cleanup.ts'
import { createKey, runKeys } from '../helpers/keys-cli.ts'
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts'
import { type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { postPhoto } from '../helpers/reference.ts'

let postgres: PostgresServer
let databases = 0

beforeAll(async () => {
  postgres = await startPostgres()
})

describe('the PostgreSQL key store', () => {
  keyStoreContract(async () => {
    const store = await openPostgresKeyStore(await postgres.createDatabase(`contract_${++databases}`))
    registerCleanup(async () => { await store.close() })
    return store
  })

  it('creates its tables once when several stores open at the same time', async () => {
    const url = await postgres.createDatabase('concurrent')
    const stores = await Promise.all([1, 2, 3, 4].map(async () => await openPostgresKeyStore(url)))
    registerCleanup(async () => { await Promise.all(stores.map(async (s) => { await s.close() })) })
    for (const store of stores) await expect(store.list()).resolves.toEqual([])
  })
})

describe('two gateways sharing one PostgreSQL store', () => {
  let resnet: ProcessHandle

  beforeAll(async () => {
    resnet = await startService('resnet')
  })

  it('accept the same key, both refuse it within a second of its revocation, and add up usage', async () => {
    const databaseUrl = await postgres.createDatabase('shared')
    const upstreams = { models: { resnet: { stable: { version: '2.0.0', replicas: [resnet.url] } } } }
    const [a, b] = await Promise.all([startGateway({ upstreams, databaseUrl }), startGateway({ upstreams, databaseUrl })])
    if (a === undefined || b === undefined) throw new Error('gateways did not start')
    expect(a.dataDir).not.toBe(b.dataDir)
    const key = await createKey(a.env)
    for (const gateway of [a, b, a]) {
      const res = await postPhoto(`${gateway.url}/model/resnet/predict`, 'cat_720p.jpg', { authorization: `Bearer ${key.secret}` })
      expect(res.status).toBe(200)
      expect(res.body.predictions[0]?.label).toBe('cat')
    }

    expect((await runKeys(['revoke', key.id], b.env)).code).toBe(0)
    const deadline = Date.now() + 1000
    const refused = new Set<string>()
    while (refused.size < 2 && Date.now() < deadline) {
      for (const gateway of [a, b]) {
        const res = await postPhoto(`${gateway.url}/model/resnet/predict`, 'cat_720p.jpg', { 'x-api-key': key.secret })
        if (res.status === 401) {
          expect(res.body).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
          refused.add(gateway.url)
        }
      }
    }
    expect([...refused].sort()).toEqual([a.url, b.url].sort())

    // Both write their counts on shutdown; the store adds them up.
    await Promise.all([a.stop(), b.stop()])
    const usage = JSON.parse((await runKeys(['usage', key.id, '--json'], a.env)).stdout) as Array<{ modelId: string, requests: number }>
    expect(usage).toEqual([expect.objectContaining({ modelId: 'resnet', requests: 3 })])
  })
})
