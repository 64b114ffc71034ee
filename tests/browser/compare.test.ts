// "Compare all": one image through every model that can serve, answers side by side.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { expectNoPageProblems, launchBrowser, openPage, screenshot } from './browser.ts'
import { type Platform, startPlatform } from './platform.ts'

let platform: Platform
let browser: Browser

beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatform(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await platform?.stop()
})

async function compareCat (viewport?: { width: number, height: number }) {
  const watched = await openPage(browser, platform.webUrl, viewport)
  onTestFinished(async () => { await watched.context.close() })
  const { page } = watched
  await page.locator('.model-option').first().waitFor()
  await page.getByRole('button', { name: 'Compare all' }).click()
  await page.locator('input[type=file]').setInputFiles(`${SHARED_IMAGES}cat_720p.jpg`)
  await page.locator('.compare__summary').waitFor()
  return watched
}

describe('compare all', () => {
  it('runs the image through every model that is up and shows answers, versions and latencies side by side', async () => {
    const before = platform.predictCalls().length
    const watched = await compareCat()
    const { page } = watched
    const cards = page.locator('.compare__grid .result-card')
    const ids = await Promise.all((await cards.all()).map(async (c) => await c.getAttribute('data-model')))
    expect(ids).toEqual(['mobilenet', 'resnet', 'resnet-int8'])
    await expect(page.locator('.compare__grid .result-card--done').count()).resolves.toBe(3)
    for (const id of ['resnet', 'resnet-int8']) {
      await expect(page.locator(`.result-card[data-model="${id}"] .bar__label`).first().textContent()).resolves.toBe('cat')
    }
    await expect(page.locator('.result-card[data-model="mobilenet"] .bar__label').first().textContent()).resolves.toMatch(/cat/i)
    await expect(cards.locator('.timings').allTextContents()).resolves.toEqual(Array(3).fill(expect.stringMatching(/Inference[\d.]+ m?s/)))
    await expect(page.locator('.compare__summary').textContent()).resolves.toMatch(/ResNet-56 \(CIFAR-10\) and ResNet-56 int8 \(CIFAR-10\) agree: cat/)
    await expect(page.locator('.badge', { hasText: 'Fastest' }).count()).resolves.toBe(1)
    // One call per model that is up; the model that is down is not asked.
    await expect.poll(() => platform.predictCalls().slice(before).map((c) => c.modelId).sort()).toEqual(['mobilenet', 'resnet', 'resnet-int8'])
    await screenshot(page, 'compare')
    expectNoPageProblems(watched)
  })

  it('stacks the answers on a phone screen without sideways scrolling', async () => {
    const watched = await compareCat({ width: 360, height: 780 })
    await expect(watched.page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(360)
    await screenshot(watched.page, 'compare-phone', { fullPage: false })
    expectNoPageProblems(watched)
  })
})
