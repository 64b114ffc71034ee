// A 429 from the real gateway's per-session limit, shown to the person with when to retry.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { expectNoPageProblems, launchBrowser, openPage, screenshot } from './browser.ts'
import { type Platform, startPlatform } from './platform.ts'

let platform: Platform
let browser: Browser

beforeAll(async () => {
  [platform, browser] = await Promise.all([
    startPlatform({ models: ['mobilenet'], gatewayEnv: { SESSION_RATE_LIMIT_PER_MIN: '1' } }),
    launchBrowser()
  ])
})
afterAll(async () => {
  await browser?.close()
  await platform?.stop()
})

describe('rate limits', () => {
  it('explains a 429 in words from the problem answer and says when to try again', async () => {
    const watched = await openPage(browser, platform.webUrl)
    onTestFinished(async () => { await watched.context.close() })
    const { page } = watched
    await page.locator('label[for="model-mobilenet"]').click()
    await page.locator('input[type=file]').setInputFiles(`${SHARED_IMAGES}cat_720p.jpg`)
    await page.locator('.result-card--done[data-model="mobilenet"]').waitFor()

    // The session's one request a minute is spent: the next one is refused by the gateway.
    await page.getByRole('button', { name: 'Clear' }).click()
    await page.locator('input[type=file]').setInputFiles(`${SHARED_IMAGES}dog.jpg`)
    const alert = page.locator('.result-card--error [role=alert]')
    await alert.waitFor()
    await expect(alert.locator('.notice__headline').textContent()).resolves.toBe('Too many requests.')
    await expect(alert.locator('.notice__detail').textContent()).resolves.toMatch(/^Over the limit of 1 request a minute for .*; retry in/)
    await expect(alert.locator('.notice__hint').textContent()).resolves.toMatch(/^Try again in \d+ seconds?\.$/)
    await expect(alert.locator('.notice__ref').textContent()).resolves.toMatch(/Request id/)

    await expect.poll(() => platform.predictCalls().map((c) => [c.status, c.rateLimited])).toEqual([[200, false], [429, true]])
    await screenshot(page, 'classify-rate-limited')
    expectNoPageProblems(watched)
  })
})
