/** The gateway's address: written into index.html by web/server.ts at serve time. */
export function readGatewayUrl (doc: Document = document): string {
  const fromPage = doc.querySelector('meta[name="modelgate-gateway"]')?.getAttribute('content')?.trim()
  if (fromPage !== undefined && fromPage !== '') return fromPage
  // `vite` in development serves index.html untouched.
  return (import.meta.env.VITE_GATEWAY_URL as string | undefined) ?? 'http://127.0.0.1:8080'
}
