import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { SHARED_IMAGES, SHARED_MODELS } from './spawn.ts'

export interface Prediction { label: string, index: number, probability: number }
export interface PredictAnswer {
  model: { id: string, name: string, version: string }
  predictions: Prediction[]
  timing: Record<string, number>
}

interface Reference { bundles: Record<string, { id: string, version: string, predictions: Record<string, Prediction[]> }> }

/** Top-5 of each shared bundle on each shared photo (../shared/models/reference-predictions.json). */
export const reference = JSON.parse(readFileSync(`${SHARED_MODELS}reference-predictions.json`, 'utf8')) as Reference

export const PHOTOS = Object.keys(reference.bundles.resnet!.predictions)

export function photo (name: string): Buffer {
  return readFileSync(`${SHARED_IMAGES}${name}`)
}

/** POSTs a photo's bytes as image/jpeg to `${baseUrl}${path}` and returns status and JSON. */
export async function postPhoto (url: string, name: string, headers: Record<string, string> = {}): Promise<{ status: number, body: PredictAnswer & { code?: string }, headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'image/jpeg', ...headers }, body: photo(name) })
  return { status: res.status, body: await res.json() as PredictAnswer & { code?: string }, headers: res.headers }
}

/**
 * POSTs a photo as image/jpeg in two halves: the first at once; after `pauseMs`, `meanwhile` runs (a
 * shutdown, say) and the rest follows `restAfterMs` later. The request is in flight throughout.
 */
export async function postPhotoInHalves (url: string, name: string, opts: { headers?: Record<string, string>, pauseMs: number, meanwhile: () => void, restAfterMs: number }): Promise<{ status: number, body: string }> {
  const image = photo(name)
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...opts.headers, 'content-type': 'image/jpeg', 'content-length': image.length } }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.write(image.subarray(0, image.length / 2))
    setTimeout(() => {
      opts.meanwhile()
      setTimeout(() => req.end(image.subarray(image.length / 2)), opts.restAfterMs)
    }, opts.pauseMs)
  })
}
