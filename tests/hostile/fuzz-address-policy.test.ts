// Fuzzes the image fetcher's address policy: it never throws on any text, and an IPv4 address decides
// the same way in every spelling and every IPv6 form that carries it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressRange, isForbiddenAddress, parseIpLiteral } from '../../services/model-server/src/image/address-policy.ts'

const RUNS = { numRuns: 300 }

// Special-purpose IPv4 blocks an image URL must never reach, as [first octet, second octet range].
const PRIVATE_V4 = fc.oneof(
  fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255))
)
const ANY_V4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))

const dotted = (o: number[]): string => o.join('.')
const hex16 = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16)
const asInt = (o: number[]): number => ((o[0] ?? 0) * 2 ** 24) + ((o[1] ?? 0) << 16) + ((o[2] ?? 0) << 8) + (o[3] ?? 0)

/** The IPv6 forms that carry an IPv4 address in their last 32 bits, in dotted and hex spellings. */
function embeddings (o: number[]): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = o
  const tail = `${hex16(a, b)}:${hex16(c, d)}`
  return [
    `::ffff:${dotted(o)}`, `::ffff:${tail}`, `0:0:0:0:0:ffff:${tail}`, `0000:0000:0000:0000:0000:FFFF:${dotted(o)}`,
    `::${dotted(o)}`, `::${tail}`, `::ffff:0:${dotted(o)}`, `64:ff9b::${dotted(o)}`, `64:ff9b::${tail}`
  ]
}

/** inet_aton spellings URL parsers accept for the same address. */
function spellings (o: number[]): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = o
  return [
    String(asInt(o)), `0x${asInt(o).toString(16)}`, `0${asInt(o).toString(8)}`,
    o.map((n) => `0${n.toString(8)}`).join('.'), o.map((n) => `0x${n.toString(16)}`).join('.'),
    `${a}.${(b << 16) + (c << 8) + d}`, `${a}.${b}.${(c << 8) + d}`, `${dotted(o)}.`
  ]
}

describe('the address policy under arbitrary input', () => {
  it('never throws on any text, IP-like or not', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.ipV4Extended(), fc.ipV6(),
      fc.ipV6().map((ip) => `[${ip}]`), fc.ipV6().map((ip) => `${ip}%eth0`), fc.stringMatching(/^[0-9a-fA-Fx.:[\]%]{0,40}$/))
    fc.assert(fc.property(text, (t) => {
      expect(() => { parseIpLiteral(t); isForbiddenAddress(t); addressRange(t) }).not.toThrow()
    }), RUNS)
  })

  it('refuses a private, loopback, link-local, CGNAT, multicast or reserved IPv4 in every IPv6 form', () => {
    fc.assert(fc.property(PRIVATE_V4, (o) => {
      for (const form of embeddings(o)) {
        expect(isForbiddenAddress(form), form).toBe(true)
        expect(isForbiddenAddress(new URL(`http://[${form}]/`).hostname), `URL-normalised ${form}`).toBe(true)
      }
    }), RUNS)
  })

  it('refuses 6to4 and Teredo addresses whatever IPv4 they carry', () => {
    fc.assert(fc.property(ANY_V4, fc.nat(0xffff), (o, n) => {
      const [a = 0, b = 0, c = 0, d = 0] = o
      expect(isForbiddenAddress(`2002:${hex16(a, b)}:${hex16(c, d)}::${n.toString(16)}`)).toBe(true)
      expect(isForbiddenAddress(`2001:0:${hex16(a, b)}:${hex16(c, d)}::${n.toString(16)}`)).toBe(true)
    }), RUNS)
  })

  it('decides an IPv4-mapped or NAT64 address exactly as the IPv4 it carries', () => {
    fc.assert(fc.property(ANY_V4, (o) => {
      const v4 = isForbiddenAddress(dotted(o))
      expect(isForbiddenAddress(`::ffff:${dotted(o)}`)).toBe(v4)
      expect(isForbiddenAddress(`64:ff9b::${dotted(o)}`)).toBe(v4)
    }), RUNS)
  })

  it('reads every inet_aton spelling of an IPv4 as that address, as the URL parser does', () => {
    fc.assert(fc.property(ANY_V4, (o) => {
      for (const spelling of spellings(o)) {
        expect(parseIpLiteral(spelling)?.toString(), spelling).toBe(dotted(o))
        expect(new URL(`http://${spelling}/`).hostname, spelling).toBe(dotted(o))
      }
    }), RUNS)
  })
})
