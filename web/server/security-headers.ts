// Headers on every answer of the web server. The page runs only its own hashed scripts and styles,
// talks only to itself and the gateway, and shows images from files (blob:) or data: URLs.

export function contentSecurityPolicy (gatewayOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self' ${gatewayOrigin}`,
    "img-src 'self' blob: data:",
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join('; ')
}

export function securityHeaders (gatewayOrigin: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(gatewayOrigin),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
  }
}
