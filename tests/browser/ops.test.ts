// /ops: the admin key stays in the tab, and the summary shows the requests the page just made.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { expectNoPageProblems, launchBrowser, openPage, screenshot } from './browser.ts'
import { ADMIN_KEY, type Platform, startPlatform } from './platform.ts'

let platform: Platform
let browser: Browser

beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatform({ canary: true }), launchBrowser()])
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
  const before = platform.gateway.served.length
  await page.locator('input[type=file]').setInputFiles(file)
  await expect.poll(() => platform.gateway.served.length).toBe(before + 1)
  await page.locator(`.result-card[data-model="${id}"]:not(.result-card--loading)`).waitFor()
}

describe('ops page', () => {
  it('asks for the admin key, refuses a wrong one in words, then shows the requests just made', async () => {
    const watched = await openPage(browser, platform.webUrl)
    onTestFinished(async () => { await watched.context.close() })
    const { page } = watched
    await page.locator('.model-option').first().waitFor()
    const cat = `${SHARED_IMAGES}cat_720p.jpg`
    await classify(page, 'mobilenet', cat)
    await classify(page, 'resnet', cat)
    await classify(page, 'resnet', `${SHARED_IMAGES}owl.jpg`)
    await classify(page, 'resnet-int8', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') })

    await page.getByRole('link', { name: 'Operations' }).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Operations')
    await page.getByLabel('Admin API key').fill('mg_wrong_key')
    await page.getByRole('button', { name: 'Open dashboard' }).click()
    await expect(page.locator('[role=alert] .notice__headline').textContent()).resolves.toBe('That key was not accepted.')
    await expect(page.locator('[role=alert] .notice__detail').textContent()).resolves.toBe('This endpoint needs an admin API key.')

    await page.getByLabel('Admin API key').fill(ADMIN_KEY)
    await page.getByRole('button', { name: 'Open dashboard' }).click()
    await page.locator('.ops-card').first().waitFor()
    const card = (id: string) => page.locator(`.ops-card[data-model="${id}"]`)
    await expect(page.getByTestId('total-requests').textContent()).resolves.toBe(String(platform.gateway.served.length))
    await expect(card('resnet').locator('.stat__note').first().textContent()).resolves.toBe('2 requests')
    await expect(card('mobilenet').locator('.stat__note').first().textContent()).resolves.toBe('1 request')
    await expect(card('resnet-int8').locator('.stat--bad dd').textContent()).resolves.toBe('100%')
    await expect(card('resnet').locator('.versions').textContent()).resolves.toMatch(/stable 2\.0\.0.*canary 1\.0\.0 · 10% of traffic/)
    await expect(card('efficientnet').locator('.pill').textContent()).resolves.toBe('0/1 replicas healthy')
    await expect(card('mobilenet').locator('.chart svg rect.chart__bar').count()).resolves.toBeGreaterThan(0)

    // The key lives in this tab's sessionStorage only.
    await expect(page.evaluate('sessionStorage.getItem(\'modelgate.adminKey\')')).resolves.toBe(ADMIN_KEY)
    await expect(page.evaluate('JSON.stringify(localStorage)')).resolves.not.toContain(ADMIN_KEY)
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
    await page.getByLabel('Admin API key').fill(ADMIN_KEY)
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
