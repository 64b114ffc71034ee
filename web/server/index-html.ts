// index.html is built once and served with this deployment's gateway address written into it, so
// one build serves every environment.

const META = /<meta name="modelgate-gateway" content="[^"]*">/

export function renderIndexHtml (html: string, gatewayUrl: string): string {
  if (!META.test(html)) throw new Error('index.html has no <meta name="modelgate-gateway"> tag to fill')
  return html.replace(META, () => `<meta name="modelgate-gateway" content="${escapeAttribute(gatewayUrl)}">`)
}

function escapeAttribute (value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
