// The classify page in Chromium against real model services: choose, upload, read the bars.
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { type WatchedPage, expectNoPageProblems, launchBrowser, openPage, screenshot } from './browser.ts'
import { type Platform, startPlatform } from './platform.ts'

const CAT = `${SHARED_IMAGES}cat_720p.jpg`

let platform: Platform
let browser: Browser

beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatform(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await platform?.stop()
})

async function open (viewport?: { width: number, height: number }): Promise<WatchedPage> {
  const watched = await openPage(browser, platform.webUrl, viewport)
  onTestFinished(async () => { await watched.context.close() })
  await watched.page.locator('.model-option').first().waitFor()
  return watched
}

const choose = async (page: Page, id: string): Promise<void> => { await page.locator(`label[for="model-${id}"]`).click() }
const upload = async (page: Page, file: string | { name: string, mimeType: string, buffer: Buffer }): Promise<void> => {
  await page.locator('input[type=file]').setInputFiles(file)
}
const labels = async (page: Page, id: string): Promise<string[]> => {
  const card = page.locator(`.result-card--done[data-model="${id}"]`)
  await card.waitFor()
  return await card.locator('.bar__label').allTextContents()
}

describe('classify page', () => {
  it('lists every model with its version and status, and a model that is down cannot be picked', async () => {
    const watched = await open()
    const { page } = watched
    for (const id of ['mobilenet', 'resnet', 'resnet-int8']) {
      await expect(page.locator(`#model-${id}`).isEnabled()).resolves.toBe(true)
    }
    await expect(page.locator('label[for="model-mobilenet"]').textContent()).resolves.toMatch(/MobileNetV2.*Ready.*v1\.0\.0.*1,000 classes.*224×224/)
    const down = page.locator('#model-efficientnet')
    await expect(down.isDisabled()).resolves.toBe(true)
    await expect(page.locator('label[for="model-efficientnet"]').textContent()).resolves.toMatch(/Down/)
    await page.locator('label[for="model-efficientnet"]').click({ force: true })
    await expect(down.isChecked()).resolves.toBe(false)
    await screenshot(page, 'classify-empty')
    expectNoPageProblems(watched)
  })

  it('shows a cat class in the bars for cat_720p.jpg with MobileNet, with model, version and latency', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'mobilenet')
    await upload(page, CAT)
    const top = await labels(page, 'mobilenet')
    expect(top).toHaveLength(5)
    expect(top[0]).toMatch(/cat/i)
    const card = page.locator('.result-card[data-model="mobilenet"]')
    await expect(card.locator('.result-card__name').textContent()).resolves.toBe('MobileNetV2 1.0 224 (ImageNet)')
    await expect(card.locator('.result-card__version').textContent()).resolves.toBe('1.0.0')
    await expect(card.locator('.timings').textContent()).resolves.toMatch(/Total[\d.]+ m?s.*Inference[\d.]+ m?s/)
    await expect(page.locator('.preview img').getAttribute('src')).resolves.toMatch(/^blob:/)
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^MobileNetV2.*: .*cat.*%\.$/)
    await screenshot(page, 'classify-mobilenet')
    expectNoPageProblems(watched)
  })

  it('answers cat with ResNet, and classifies the same image again when the model changes', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'mobilenet')
    await upload(page, CAT)
    await labels(page, 'mobilenet')
    await choose(page, 'resnet')
    expect((await labels(page, 'resnet'))[0]).toBe('cat')
    await expect(page.locator('.result-card').count()).resolves.toBe(1)
    expectNoPageProblems(watched)
  })

  it('keeps each browser\'s model choice its own, across reloads', async () => {
    const a = await open()
    const b = await open()
    await choose(a.page, 'mobilenet')
    await choose(b.page, 'resnet-int8')
    await Promise.all([a.page.reload(), b.page.reload()])
    await Promise.all([a, b].map(async (w) => await w.page.locator('.model-option').first().waitFor()))
    await expect(a.page.locator('#model-mobilenet').isChecked()).resolves.toBe(true)
    await expect(b.page.locator('#model-resnet-int8').isChecked()).resolves.toBe(true)

    const before = platform.predictCalls().length
    await Promise.all([upload(a.page, CAT), upload(b.page, CAT)])
    expect((await labels(a.page, 'mobilenet'))[0]).toMatch(/cat/i)
    expect((await labels(b.page, 'resnet-int8'))[0]).toBe('cat')
    // The gateway writes its access line after the answer: wait for both.
    await expect.poll(() => platform.predictCalls().length).toBe(before + 2)
    const calls = platform.predictCalls().slice(before)
    expect(calls.map((c) => c.modelId).sort()).toEqual(['mobilenet', 'resnet-int8'])
    expect(calls.every((c) => c.principal.startsWith('session:ses_'))).toBe(true)
    expect(new Set(calls.map((c) => c.principal)).size).toBe(2)
    await expect(a.page.locator('#model-mobilenet').isChecked()).resolves.toBe(true)
    expectNoPageProblems(a)
    expectNoPageProblems(b)
  })

  it('takes an image dropped on the drop zone or pasted from the clipboard', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'resnet')
    const bytes = readFileSync(`${SHARED_IMAGES}owl.jpg`).toString('base64')
    const file = `new File([Uint8Array.from(atob('${bytes}'), (c) => c.charCodeAt(0))], 'owl.jpg', { type: 'image/jpeg' })`
    await page.evaluate(`(() => {
      const data = new DataTransfer()
      data.items.add(${file})
      document.querySelector('.dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
    })()`)
    expect((await labels(page, 'resnet'))[0]).toBe('bird')
    await expect(page.locator('.preview__name').textContent()).resolves.toBe('owl.jpg')

    await page.getByRole('button', { name: 'Clear' }).click()
    await page.evaluate(`(() => {
      const data = new DataTransfer()
      data.items.add(${file.replace("'owl.jpg'", "''")})
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })()`)
    await expect(page.locator('.preview__name').textContent()).resolves.toBe('pasted image')
    expect((await labels(page, 'resnet'))[0]).toBe('bird')
    expectNoPageProblems(watched)
  })

  it('can be used with the keyboard alone', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'mobilenet')
    await page.locator('#model-mobilenet').focus()
    await page.keyboard.press('ArrowDown')
    await expect(page.locator('#model-resnet').isChecked()).resolves.toBe(true)
    await page.keyboard.press('Tab')
    await expect(page.evaluate('document.activeElement.type')).resolves.toBe('file')
    await page.keyboard.press('Tab')
    await expect(page.evaluate('document.activeElement.type')).resolves.toBe('url')
    expectNoPageProblems(watched)
  })

  it('explains a text file in words taken from the problem answer', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'resnet')
    await upload(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are my notes, not a photo') })
    const alert = page.locator('.result-card--error [role=alert]')
    await alert.waitFor()
    await expect(alert.locator('.notice__headline').textContent()).resolves.toBe('That file is not an image the models can read.')
    await expect(alert.locator('.notice__detail').textContent()).resolves.toMatch(/\S/)
    await expect(alert.locator('.notice__ref').textContent()).resolves.toMatch(/Request id/)
    await expect(page.locator('.preview img').count()).resolves.toBe(0)
    await expect(page.locator('.preview').textContent()).resolves.toMatch(/text\/plain file, no preview/)
    await screenshot(page, 'classify-error')
    expectNoPageProblems(watched)
  })

  it('explains a refused image URL', async () => {
    const watched = await open()
    const { page } = watched
    await choose(page, 'mobilenet')
    // Loopback is refused by the service's address policy before any connection is made.
    await page.getByLabel('Or classify an image from the web').fill('http://127.0.0.1:9/cat.jpg')
    await page.getByRole('button', { name: 'Classify URL' }).click()
    const alert = page.locator('.result-card--error [role=alert]')
    await expect(alert.locator('.notice__headline').textContent()).resolves.toBe('That image URL is not allowed.')
    await expect(alert.locator('.notice__hint').textContent()).resolves.toBe('Only public http(s) addresses can be fetched.')
    expectNoPageProblems(watched)
  })

  it('fits a 360 px wide phone screen', async () => {
    const watched = await open({ width: 360, height: 780 })
    const { page } = watched
    await choose(page, 'mobilenet')
    await upload(page, CAT)
    await labels(page, 'mobilenet')
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(360)
    // What the person sees: the page scrolls the results into view on a narrow screen.
    await expect(page.evaluate('document.querySelector(\'.results\').getBoundingClientRect().top')).resolves.toBeLessThan(200)
    await screenshot(page, 'classify-phone', { fullPage: false })
    await page.evaluate('window.scrollTo(0, 0)')
    await screenshot(page, 'classify-phone-full')
    expectNoPageProblems(watched)
  })

  it('renders in the dark colour scheme too', async () => {
    const watched = await open()
    const { page } = watched
    await page.emulateMedia({ colorScheme: 'dark' })
    await choose(page, 'mobilenet')
    await upload(page, CAT)
    await labels(page, 'mobilenet')
    await expect(page.evaluate('getComputedStyle(document.body).backgroundColor')).resolves.toBe('rgb(13, 16, 32)')
    await screenshot(page, 'classify-dark')
    expectNoPageProblems(watched)
  })
})
