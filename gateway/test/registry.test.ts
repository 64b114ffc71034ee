import { describe, expect, it } from 'vitest'
import { UpstreamRegistry } from '../src/upstreams/registry.ts'
import { routed } from './gateway-harness.ts'

const file = {
  models: {
    resnet: { stable: { version: '2.0.0', replicas: ['http://127.0.0.1:1', 'http://127.0.0.1:2/'] }, canary: { version: '1.0.0', replicas: ['http://127.0.0.1:3'], weight: 5 } },
    mobilenet: { stable: { version: '1.0.0', replicas: ['http://127.0.0.1:4'] } }
  }
}

describe('the upstream registry', () => {
  it('round-robins over unchecked replicas, then only over the healthy ones', () => {
    const registry = new UpstreamRegistry(file)
    expect([1, 2, 3].map(() => routed(registry.pick('resnet'))?.replica)).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:1'])
    registry.setState('http://127.0.0.1:2', 'up')
    expect([1, 2].map(() => routed(registry.pick('resnet'))?.replica)).toEqual(['http://127.0.0.1:2', 'http://127.0.0.1:2'])
    expect(registry.pick('resnet')).toEqual({ modelId: 'resnet', track: 'stable', version: '2.0.0', replica: 'http://127.0.0.1:2' })
  })

  it('has no replica for a model whose replicas are all down, and says so in its status', () => {
    const registry = new UpstreamRegistry(file)
    registry.setState('http://127.0.0.1:1', 'down', 'ECONNREFUSED')
    registry.setState('http://127.0.0.1:2', 'down', 'readyz answered 503')
    expect(registry.pick('resnet')).toBeUndefined()
    expect(registry.status('resnet')).toBe('down')
    expect(registry.status('mobilenet')).toBe('ready')
    expect(registry.health('http://127.0.0.1:2')).toMatchObject({ state: 'down', reason: 'readyz answered 503' })
  })

  it('emits a change only when a state changes', () => {
    const registry = new UpstreamRegistry(file)
    const changes: string[] = []
    registry.on('change', (c) => changes.push(`${c.url} ${c.previous}->${c.state}`))
    registry.setState('http://127.0.0.1:4', 'up')
    registry.setState('http://127.0.0.1:4', 'up')
    registry.setState('http://127.0.0.1:4', 'down')
    expect(changes).toEqual(['http://127.0.0.1:4 unknown->up', 'http://127.0.0.1:4 up->down'])
  })

  it('keeps the health of replicas that stay across an update and forgets removed ones', () => {
    const registry = new UpstreamRegistry(file)
    registry.setState('http://127.0.0.1:4', 'up')
    registry.setState('http://127.0.0.1:1', 'down')
    registry.update({ models: { mobilenet: { stable: { version: '1.1.0', replicas: ['http://127.0.0.1:4', 'http://127.0.0.1:5'] } } } })
    expect(registry.ids()).toEqual(['mobilenet'])
    expect(registry.health('http://127.0.0.1:4')?.state).toBe('up')
    expect(registry.health('http://127.0.0.1:5')?.state).toBe('unknown')
    expect(registry.health('http://127.0.0.1:1')).toBeUndefined()
    expect(registry.version('mobilenet')).toBe('1.1.0')
    expect(registry.replicaUrls()).toEqual(['http://127.0.0.1:4', 'http://127.0.0.1:5'])
  })

  it('lists canary replicas for health checks without routing to them', () => {
    const registry = new UpstreamRegistry(file)
    expect(registry.replicaUrls()).toContain('http://127.0.0.1:3')
    for (let i = 0; i < 20; i++) expect(routed(registry.pick('resnet'))?.track).toBe('stable')
    expect(registry.pick('resnet', 'canary')).toMatchObject({ version: '1.0.0', replica: 'http://127.0.0.1:3' })
  })
})
