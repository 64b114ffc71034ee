import { describe, expect, it } from 'vitest'
import { addressRange, isForbiddenAddress, isLocalhostName, parseIpLiteral } from '../src/image/address-policy.ts'

// Pure functions only: nothing here opens a connection, public examples included.

describe('isForbiddenAddress over IPv4 ranges', () => {
  it.each([
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'], ['169.254.0.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'], ['100.127.255.255', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'], ['192.0.0.8', 'reserved'], ['192.0.2.1', 'reserved'], ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'], ['198.18.0.1', 'reserved'], ['198.19.255.255', 'reserved'], ['192.88.99.1', 'reserved'],
    ['192.175.48.1', 'as112'], ['192.52.193.1', 'amt']
  ])('refuses %s (%s)', (ip, range) => {
    expect(addressRange(ip)).toBe(range)
    expect(isForbiddenAddress(ip)).toBe(true)
  })

  it.each([
    '8.8.8.8', '1.1.1.1', '93.184.215.14', '11.0.0.1', '172.15.255.255', '172.32.0.1', '100.63.255.255',
    '100.128.0.1', '169.253.255.255', '169.255.0.1', '192.169.0.1', '198.20.0.1', '223.255.255.254'
  ])('allows the public address %s', (ip) => {
    expect(addressRange(ip)).toBe('unicast')
    expect(isForbiddenAddress(ip)).toBe(false)
  })
})

describe('isForbiddenAddress over IPv6 ranges', () => {
  it.each([
    ['::', 'unspecified'], ['::1', 'loopback'], ['[::1]', 'loopback'],
    ['fe80::1', 'linkLocal'], ['fe80::1%eth0', 'linkLocal'], ['febf::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'], ['fd12:3456:789a::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'], ['ff0e::1', 'multicast'],
    ['2001:db8::1', 'reserved'], ['3fff::1', 'reserved'], ['2001:2::1', 'benchmarking'],
    ['2002:7f00:1::1', '6to4'], ['2002:a00:1::1', '6to4'], ['2001:0:4136:e378::1', 'teredo'],
    ['64:ff9b:1::a00:1', 'rfc6052'], ['100::1', 'discard'], ['fec0::1', 'deprecatedSiteLocal'],
    ['4000::1', 'notGlobalUnicast'], ['::2:0:0:1', 'notGlobalUnicast']
  ])('refuses %s (%s)', (ip, range) => {
    expect(addressRange(ip)).toBe(range)
    expect(isForbiddenAddress(ip)).toBe(true)
  })

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001:800::200e', '[2606:4700:4700::1111]'])(
    'allows the public address %s', (ip) => {
      expect(isForbiddenAddress(ip)).toBe(false)
    })
})

describe('isForbiddenAddress on IPv6 forms that carry an IPv4 address', () => {
  it.each([
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'], ['::ffff:10.0.0.1', 'private'], ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:100.64.0.1', 'carrierGradeNat'], ['::ffff:0.0.0.0', 'unspecified'], ['::ffff:224.0.0.1', 'multicast'],
    // IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
    ['::127.0.0.1', 'loopback'], ['::7f00:1', 'loopback'], ['::a00:1', 'private'], ['::a9fe:a9fe', 'linkLocal'],
    ['::ffff:0:7f00:1', 'loopback'], ['::ffff:0:a00:1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'], ['64:ff9b::169.254.169.254', 'linkLocal'], ['64:ff9b::c0a8:1', 'private']
  ])('refuses %s as its IPv4 address (%s)', (ip, range) => {
    expect(addressRange(ip)).toBe(range)
    expect(isForbiddenAddress(ip)).toBe(true)
  })

  it.each(['::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '::ffff:0:808:808', '::808:808'])(
    'allows %s, which carries a public IPv4 address', (ip) => {
      expect(addressRange(ip)).toBe('unicast')
      expect(isForbiddenAddress(ip)).toBe(false)
    })
})

describe('odd spellings of IPv4 literals', () => {
  it.each([
    ['2130706433', '127.0.0.1'], ['0x7f000001', '127.0.0.1'], ['017700000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'], ['0177.0.0.01', '127.0.0.1'], ['0x7f.1', '127.0.0.1'], ['0x7F.0x0.0x0.0x1', '127.0.0.1'],
    ['127.1', '127.0.0.1'], ['127.0.1', '127.0.0.1'], ['127.0.0.1.', '127.0.0.1'], ['0', '0.0.0.0'], ['0x0', '0.0.0.0'],
    ['10.1', '10.0.0.1'], ['2852039166', '169.254.169.254'], ['0xa9fea9fe', '169.254.169.254'],
    ['0251.0376.0251.0376', '169.254.169.254'], ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'], ['169.16689662', '169.254.169.254']
  ])('reads %s as %s and refuses it', (spelling, address) => {
    expect(parseIpLiteral(spelling)?.toString()).toBe(address)
    expect(isForbiddenAddress(spelling)).toBe(true)
  })

  it.each(['134744072', '0x8080808', '010.010.010.010', '8.526344'])('reads %s as 8.8.8.8 and allows it', (spelling) => {
    expect(parseIpLiteral(spelling)?.toString()).toBe('8.8.8.8')
    expect(isForbiddenAddress(spelling)).toBe(false)
  })

  // The WHATWG URL parser (new URL) already rewrites these hosts to dotted decimal; the policy
  // sees the same address whichever form reaches it.
  it.each([
    '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x7f000001', '127.0.0.1.', '127.000.000.001', '%31%32%37.0.0.1',
    '１２７.0.0.1', '[::ffff:127.0.0.1]', '[::127.0.0.1]', '[0:0:0:0:0:ffff:7f00:1]'
  ])('new URL normalises http://%s/ to a refused address', (host) => {
    const { hostname } = new URL(`http://${host}/`)
    expect(isForbiddenAddress(hostname)).toBe(true)
    expect(addressRange(hostname)).toBe('loopback')
  })

  it.each(['4294967296', '08.0.0.1', '1.2.3.4.5', '[fe80::1%25eth0]'])('new URL rejects http://%s/ outright', (host) => {
    expect(() => new URL(`http://${host}/`)).toThrow()
  })
})

describe('parseIpLiteral on what is not an IP literal', () => {
  it.each(['localhost', 'example.com', '127.0.0.1x', '1.2.3.4.5', '08.0.0.1', '1.2.3.256', '', '::g', '[127.0.0.1]'])(
    'returns null for %j, which the policy refuses as invalid', (text) => {
      expect(parseIpLiteral(text)).toBeNull()
      expect(addressRange(text)).toBe('invalid')
      expect(isForbiddenAddress(text)).toBe(true)
    })
})

describe('isLocalhostName (RFC 6761)', () => {
  it.each(['localhost', 'localhost.', 'LOCALHOST', 'api.localhost', 'a.b.localhost.'])('%s is a loopback name', (name) => {
    expect(isLocalhostName(name)).toBe(true)
  })

  it.each(['localhost.example.com', 'mylocalhost', 'localhostx', 'example.com', '127.0.0.1', 'local'])('%s is not', (name) => {
    expect(isLocalhostName(name)).toBe(false)
  })
})
