import type { App } from '@modelgate/server-kit'
import type { Bundle } from '../bundle/load-bundle.ts'
import { MetadataSchema } from './schemas.ts'

/** GET /metadata: what this service serves and how it prepares images. */
export function metadataRoute (app: App, bundle: Bundle, batch: { maxSize: number, maxWaitMs: number }): void {
  const { manifest } = bundle
  const body = {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    sha256: manifest.sha256,
    classes: manifest.classes,
    labels: bundle.labels,
    input: manifest.input,
    output: manifest.output,
    batch,
    source: manifest.source
  }
  app.get('/metadata', { schema: { response: { 200: MetadataSchema } } }, async () => body)
}
