// The browser harness itself: chromium starts, a page styled by portal.css and enhanced by
// init.js works under a CSP with no inline script, axeCheck passes an accessible page and fails
// an inaccessible one, and screenshots are written (to a temporary directory, not docs/).

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { axeCheck, env, launch, newPage, repoRoot, screenshot } from './lib.mjs'

const staticDir = path.join(repoRoot, 'shared', 'portal', 'static')

// As the portal serves them: fingerprinted names under /portal/assets/, behind a strict CSP.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
const types = { '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png' }

async function fingerprintedAssets () {
  const assets = new Map() // URL path -> { body, type }
  const urls = {} // file name -> URL path
  for (const name of await readdir(staticDir)) {
    const body = await readFile(path.join(staticDir, name))
    const ext = path.extname(name)
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
    const url = `/portal/assets/${path.basename(name, ext)}-${hash}${ext}`
    assets.set(url, { body, type: types[ext] ?? 'application/octet-stream' })
    urls[name] = url
  }
  return { assets, urls }
}

function page ({ title, urls, extra = '' }) {
  return `<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title>${title} – DDaT workforce returns</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="${urls['portal.css']}">
</head>
<body class="govuk-template__body">
  <a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
  <header class="govuk-template__header">
    <div class="govuk-generic-header">
      <div class="govuk-generic-header__container govuk-width-container">
        <div class="govuk-generic-header__logo">
          <a href="/" class="govuk-generic-header__homepage-link">Department for Testing</a>
        </div>
      </div>
    </div>
  </header>
  <div class="govuk-width-container">
    <main class="govuk-main-wrapper" id="main-content">
      <h1 class="govuk-heading-l">${title}</h1>
      <p class="govuk-body">A page for checking the browser harness.</p>
      ${extra}
      <form method="post" action="/">
        <div class="govuk-form-group">
          <label class="govuk-label" for="org">Organisation</label>
          <input class="govuk-input" id="org" name="org" type="text">
        </div>
        <button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
      </form>
    </main>
  </div>
  <footer class="govuk-footer">
    <div class="govuk-width-container">
      <p class="govuk-body-s">Department for Testing</p>
    </div>
  </footer>
  <script type="module" src="${urls['init.js']}" data-govuk-frontend="${urls['govuk-frontend.min.js']}"></script>
</body>
</html>
`
}

let server
let origin
let browser

before(async () => {
  const { assets, urls } = await fingerprintedAssets()
  const pages = {
    '/good': page({ title: 'Your returns', urls }),
    // An image with no text alternative: axe's image-alt rule must catch it.
    '/bad': page({ title: 'Broken page', urls, extra: '<img src="/pixel.png">' })
  }
  server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1')
    res.setHeader('Content-Security-Policy', csp)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    if (pathname === '/favicon.ico') {
      // Browsers ask for it unprompted; the GOV.UK icons are not the portal's to use.
      res.writeHead(204).end()
    } else if (pages[pathname]) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(pages[pathname])
    } else if (assets.has(pathname)) {
      const { body, type } = assets.get(pathname)
      res.writeHead(200, { 'Content-Type': type }).end(body)
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${server.address().port}`
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve) ?? resolve())
})

// Opens a page and records what went wrong in it: console errors (a CSP refusal is one) and
// uncaught exceptions.
async function open (pathname) {
  const p = await newPage(browser)
  const problems = []
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`)
  })
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
  await p.goto(origin + pathname)
  return { page: p, problems }
}

test('portal.css styles the page and init.js starts GOV.UK Frontend under a CSP with no inline script', async () => {
  const { page: p, problems } = await open('/good')
  // init.js adds the classes, then initAll() marks each component it started.
  await p.locator('.govuk-button[data-govuk-button-init]').waitFor()
  const got = await p.evaluate(() => ({
    classes: [...document.body.classList],
    font: getComputedStyle(document.querySelector('.govuk-body')).fontFamily,
    buttonColour: getComputedStyle(document.querySelector('.govuk-button')).backgroundColor
  }))
  assert.deepEqual(got.classes, ['govuk-template__body', 'js-enabled', 'govuk-frontend-supported'])
  assert.equal(got.font, 'arial, helvetica, sans-serif')
  assert.equal(got.buttonColour, 'rgb(15, 122, 82)', 'GOV.UK Frontend 6 button green (#0f7a52): portal.css applied')
  assert.deepEqual(problems, [])
  await p.context().close()
})

test('axeCheck passes an accessible page', async () => {
  const { page: p } = await open('/good')
  const results = await axeCheck(p, 'harness: accessible page')
  assert.ok(results.passes.some((r) => r.id === 'document-title'), 'axe ran its rules')
  await p.context().close()
})

test('axeCheck fails a page with an image without alt text, naming the rule and the element', async () => {
  const { page: p } = await open('/bad')
  await assert.rejects(axeCheck(p, 'harness: broken page'), (err) => {
    assert.match(err.message, /^axe on harness: broken page \(http:\/\/127\.0\.0\.1:\d+\/bad\): 1 WCAG 2\.2 AA violation/)
    assert.match(err.message, /- image-alt \(critical\): Images must have alternative text/)
    assert.match(err.message, /\n {4}img: <img src=/)
    return true
  })
  await p.context().close()
})

test('screenshot writes a full-page PNG, and only under a stable name', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-screenshots-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const { page: p } = await open('/good')
  await p.setViewportSize({ width: 800, height: 200 })

  const file = await screenshot(p, 'harness-your-returns', { dir })
  assert.equal(file, path.join(dir, 'harness-your-returns.png'))
  const png = await readFile(file)
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG')
  assert.equal(png.readUInt32BE(16), 800, 'PNG width is the viewport width')
  assert.ok(png.readUInt32BE(20) > 200, 'full page: taller than the 200 px viewport')

  await assert.rejects(screenshot(p, 'harness-your-returns', { dir }), /already written in this run/)
  await assert.rejects(screenshot(p, `harness ${new Date().toISOString()}`, { dir }), /not a stable/)
  assert.deepEqual(await readdir(dir), ['harness-your-returns.png'])
  await p.context().close()
})

test('env() returns the stack addresses, and names each one that is missing', (t) => {
  const names = ['PORTAL_URL', 'API_URL', 'IDP_URL', 'MAILPIT_URL']
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]))
  t.after(() => {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n]
      else process.env[n] = saved[n]
    }
  })
  for (const n of names) process.env[n] = `http://127.0.0.1:1/${n}`
  delete process.env.IDP_URL
  delete process.env.MAILPIT_URL
  assert.throws(() => env(), /IDP_URL, MAILPIT_URL not set/)
  process.env.IDP_URL = 'http://127.0.0.1:1/idp'
  process.env.MAILPIT_URL = 'http://127.0.0.1:1/mail'
  assert.equal(env().IDP_URL, 'http://127.0.0.1:1/idp')
  assert.equal(env().PORTAL_URL, 'http://127.0.0.1:1/PORTAL_URL')
})
