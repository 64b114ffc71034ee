// /ops: the admin key stays in the tab, and the summary shows the requests the page just made.
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { expectNoPageProblems, launchBrowser, openPage, screenshot } from './browser.ts'
import { DOWN_MODEL, type Platform, startPlatform } from './platform.ts'

let platform: Platform
let browser: Browser

beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatform({ canary: true, shadow: true }), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await platform?.stop()
})

/** Clears the last image (so choosing a model does not classify it again), then classifies one. */
async function classify (page: Page, id: string, file: string | { name: string, mimeType: string, buffer: Buffer }): Promise<void> {
  const clear = page.getByRole('button', { name: 'Clear' })
  if (await clear.isVisible()) await clear.click()
  await page.locator(`label[for="model-${id}"]`).click()
  const before = platform.predictCalls().length
  await page.locator('input[type=file]').setInputFiles(file)
  await expect.poll(() => platform.predictCalls().length).toBe(before + 1)
  await page.locator(`.result-card[data-model="${id}"]:not(.result-card--loading)`).waitFor()
}

describe('ops page', () => {
  it('asks for the admin key, refuses a wrong key and a non-admin key in words, then shows the requests just made', async () => {
    const watched = await openPage(browser, platform.webUrl)
    onTestFinished(async () => { await watched.context.close() })
    const { page } = watched
    await page.locator('.model-option').first().waitFor()
    const cat = `${SHARED_IMAGES}cat_720p.jpg`
    await classify(page, 'mobilenet', cat)
    await classify(page, 'resnet', cat)
    await classify(page, 'resnet', `${SHARED_IMAGES}owl.jpg`)
    await classify(page, 'resnet-int8', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') })

    // A call to the model that is down, with an API key: the gateway answers 503 itself.
    const down = await fetch(`${platform.gateway.url}/model/${DOWN_MODEL}/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.userKey}`, 'content-type': 'image/jpeg' },
      body: readFileSync(cat)
    })
    await expect(down.json()).resolves.toMatchObject({ status: 503, code: 'MODEL_UNAVAILABLE' })
    await expect.poll(() => platform.predictCalls().length).toBe(5)

    await page.getByRole('link', { name: 'Operations' }).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Operations')
    const refusal = page.locator('[role=alert]')
    await page.getByLabel('Admin API key').fill('mg_wrong_key')
    await page.getByRole('button', { name: 'Open dashboard' }).click()
    await expect(refusal.locator('.notice__headline').textContent()).resolves.toBe('That key was not accepted.')
    await expect(refusal.locator('.notice__detail').textContent()).resolves.toBe('The API key is malformed.')
    await page.getByLabel('Admin API key').fill(platform.userKey)
    await page.getByRole('button', { name: 'Open dashboard' }).click()
    await expect.poll(async () => await refusal.locator('.notice__detail').textContent()).toBe('This route needs an admin key.')
    await screenshot(page, 'ops-key-refused')

    await page.getByLabel('Admin API key').fill(platform.adminKey)
    await page.getByRole('button', { name: 'Open dashboard' }).click()
    await page.locator('.ops-card').first().waitFor()
    const card = (id: string) => page.locator(`.ops-card[data-model="${id}"]`)
    const stat = (id: string, label: string) => card(id).locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    // The gateway counts a request when its answer has gone: the dashboard may need one more refresh.
    await expect.poll(async () => await page.getByTestId('total-requests').textContent(), { timeout: 15_000 }).toBe('5')
    await expect(card('resnet').locator('.stat__note').first().textContent()).resolves.toBe('2 requests')
    await expect(card('mobilenet').locator('.stat__note').first().textContent()).resolves.toBe('1 request')
    // A file that is not an image is the caller's mistake (415), not an error of the platform.
    await expect(card('resnet-int8').locator('.stat__note').first().textContent()).resolves.toBe('1 request')
    await expect(stat('resnet-int8', 'Errors').locator('dd').textContent()).resolves.toBe('0%')
    await expect(stat(DOWN_MODEL, 'Errors').getAttribute('class')).resolves.toMatch(/stat--bad/)
    await expect(stat(DOWN_MODEL, 'Errors').locator('dd').textContent()).resolves.toBe('100%')
    await expect(stat('mobilenet', 'Rate limited').locator('dd').textContent()).resolves.toBe('0429 answers')
    await expect(card(DOWN_MODEL).locator('.pill').textContent()).resolves.toBe('0/1 replicas healthy')
    await expect(card('resnet').locator('.versions').textContent()).resolves.toMatch(/stable 2\.0\.0.*canary 1\.0\.0 · 10% of traffic/)
    await expect(card('resnet').locator('.pill').textContent()).resolves.toBe('2/2 replicas healthy')
    // resnet's two images went to resnet-int8 too, after their answers; they are not int8's traffic (1 request above).
    await expect.poll(async () => await page.getByTestId('shadow-resnet').textContent(), { timeout: 15_000 })
      .toMatch(/^shadow → resnet-int8 \(100 %\): agrees on \d+(\.\d)? % of 2 images; (\d+\.\d× (faster|slower)|as fast) at p50$/)
    await expect(page.getByTestId('shadow-mobilenet').count()).resolves.toBe(0)
    await expect(card('mobilenet').locator('.chart svg rect.chart__bar').count()).resolves.toBeGreaterThan(0)

    // The key lives in this tab's sessionStorage only.
    await expect(page.evaluate('sessionStorage.getItem(\'modelgate.adminKey\')')).resolves.toBe(platform.adminKey)
    await expect(page.evaluate('JSON.stringify(localStorage)')).resolves.not.toContain(platform.adminKey)
    await screenshot(page, 'ops')

    // Another browser asks again.
    const other = await openPage(browser, `${platform.webUrl}/ops`)
    onTestFinished(async () => { await other.context.close() })
    await expect(other.page.getByLabel('Admin API key').isVisible()).resolves.toBe(true)
    await screenshot(other.page, 'ops-key')
    expectNoPageProblems(watched)
    expectNoPageProblems(other)
  })

  it('refreshes on its own as new requests arrive, and fits a phone screen', async () => {
    const watched = await openPage(browser, `${platform.webUrl}/ops`, { width: 360, height: 780 })
    onTestFinished(async () => { await watched.context.close() })
    const { page } = watched
    await page.getByLabel('Admin API key').fill(platform.adminKey)
    await page.keyboard.press('Enter')
    const total = page.getByTestId('total-requests')
    await total.waitFor()
    const before = Number(await total.textContent())

    const classifier = await openPage(browser, platform.webUrl)
    onTestFinished(async () => { await classifier.context.close() })
    await classifier.page.locator('.model-option').first().waitFor()
    await classify(classifier.page, 'mobilenet', `${SHARED_IMAGES}dog.jpg`)
    await expect.poll(async () => await total.textContent(), { timeout: 15_000 }).toBe(String(before + 1))
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(360)
    await screenshot(page, 'ops-phone', { fullPage: false })
    expectNoPageProblems(watched)
  })
})
