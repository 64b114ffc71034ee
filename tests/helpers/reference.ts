import { readFileSync } from 'node:fs'
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
