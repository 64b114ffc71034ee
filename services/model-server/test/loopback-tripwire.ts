import dc from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import ipaddr from 'ipaddr.js'

// A test safety net that does not rely on the code under test: while armed, a socket made by
// net.connect that is about to connect outside loopback is destroyed first and its address recorded.
// Node emits 'lookup' (and, from Node 22, 'connectionAttempt') after resolving and before each
// connect attempt. IP literals skip the lookup, so tests use loopback literals only.

export const strayAttempts: string[] = []
const alsoStray = new Set<string>()

function isLoopback (address: string): boolean {
  try {
    return ipaddr.process(address).range() === 'loopback'
  } catch {
    return false
  }
}

function watch (message: unknown): void {
  const { socket } = message as { socket: Socket }
  const check = (address: unknown): void => {
    if (typeof address !== 'string' || (isLoopback(address) && !alsoStray.has(address))) return
    strayAttempts.push(address)
    socket.destroy(new Error(`tripwire: refused a test connection to ${address}`))
  }
  socket.on('lookup', (_err: Error | null, address: unknown) => check(address))
  socket.on('connectionAttempt', (address: unknown) => check(address))
}

export const tripwire = {
  arm (): void { dc.subscribe('net.client.socket', watch) },
  disarm (): void { dc.unsubscribe('net.client.socket', watch) },
  /** Lets the tripwire's own test use a loopback address as a stand-in for a remote one. */
  treatAsStray (address: string | null): void {
    alsoStray.clear()
    if (address !== null) alsoStray.add(address)
  }
}
