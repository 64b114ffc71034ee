import ipaddr from 'ipaddr.js'

// Which addresses an image URL may reach: public unicast only. The ranges are ipaddr.js's named
// special ranges, so this file holds policy, not CIDR arithmetic. Anything not understood is refused.

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6

/** The range name `addressRange` gives to the only addresses a fetch may connect to. */
export const PUBLIC_RANGE = 'unicast'

// IPv6 outside 2000::/3 is not allocated for global unicast; ipaddr.js still calls it 'unicast'.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3')

// Prefixes whose last 32 bits are an IPv4 address the packet ends up at, so that address decides:
// IPv4-mapped, IPv4-compatible (deprecated, RFC 4291 §2.5.5.1), IPv4-translated (RFC 6145) and
// the NAT64 well-known prefix (RFC 6052 forbids it for non-global IPv4, so a public one may pass).
// 6to4, Teredo and local-use NAT64 (64:ff9b:1::/48) are tunnels we never need: refused whole.
const EMBEDDED_V4_PREFIXES = ['::ffff:0:0/96', '::/96', '::ffff:0:0:0/96', '64:ff9b::/96']
  .map((cidr) => ipaddr.IPv6.parseCIDR(cidr))

/**
 * Parses an IP literal in every spelling URL parsers and inet_aton accept: dotted, decimal
 * (`2130706433`), octal (`0177.0.0.1`), hex (`0x7f.1`), short forms (`127.1`), a trailing dot,
 * IPv6 in brackets or not, with a zone id. Returns null for anything else (a host name).
 */
export function parseIpLiteral (text: string): IpAddress | null {
  const bracketed = text.startsWith('[') && text.endsWith(']')
  let literal = bracketed ? text.slice(1, -1) : text
  if (bracketed || literal.includes(':')) return ipaddr.IPv6.isValid(literal) ? ipaddr.IPv6.parse(literal) : null
  // Resolvers and the WHATWG URL parser take `127.0.0.1.` as the address itself.
  if (literal.endsWith('.')) literal = literal.slice(0, -1)
  return ipaddr.IPv4.isValid(literal) ? ipaddr.IPv4.parse(literal) : null
}

/** The IPv4 address an IPv6 address carries in one of the prefixes above, or null. */
export function embeddedIPv4 (address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (!EMBEDDED_V4_PREFIXES.some((prefix) => address.match(prefix))) return null
  const [high = 0, low = 0] = address.parts.slice(6)
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
}

/**
 * The ipaddr.js range name of an address (of its embedded IPv4 for mapped and similar forms):
 * `loopback`, `private`, `linkLocal`, `carrierGradeNat`, `uniqueLocal`, `reserved`, ...;
 * `notGlobalUnicast` for IPv6 outside 2000::/3, `invalid` for what is not an IP literal.
 */
export function addressRange (ip: string | IpAddress): string {
  const address = typeof ip === 'string' ? parseIpLiteral(ip) : ip
  if (address === null) return 'invalid'
  if (address instanceof ipaddr.IPv4) return address.range()
  const range = address.range()
  // :: and ::1 lie in the IPv4-compatible prefix too, but are IPv6's own unspecified and loopback.
  if (range === 'unspecified' || range === 'loopback') return range
  const v4 = embeddedIPv4(address)
  if (v4 !== null) return v4.range()
  if (range === PUBLIC_RANGE && !address.match(GLOBAL_UNICAST_V6)) return 'notGlobalUnicast'
  return range
}

/** True for every address an image fetch must not connect to; only public unicast passes. */
export function isForbiddenAddress (ip: string | IpAddress): boolean {
  return addressRange(ip) !== PUBLIC_RANGE
}

/**
 * `localhost`, `localhost.` and every name under it (`api.localhost`): RFC 6761 reserves them for the
 * loopback interface, whatever a resolver answers, so they are refused by name, before any lookup.
 */
export function isLocalhostName (hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}
