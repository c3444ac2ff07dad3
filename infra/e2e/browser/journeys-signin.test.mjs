// Journeys of signing in and out, against the running stack (make test): the start page, the
// local provider's sign-in page, where each role lands, the session cookie, sign-out, a form
// posted without its CSRF token, a missing, expired or forged session, the accessibility
// statement and the pages for a page not found and for an account with no access. axe on every
// page and state; a screenshot of each in docs/screenshots/.

import assert from 'node:assert/strict'
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { axeCheck, env, heading, launch, newPage, screenshot, signIn } from './lib.mjs'

const { PORTAL_URL, IDP_URL } = env()
const HMRC = 'HM Revenue and Customs (HMRC)'
const sessionCookie = '__Host-ddat-session'

let browser
let submitter // a page signed in as HMRC's submitter, shared by the tests that keep the session

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

async function submitterPage () {
  if (!submitter) {
    submitter = await newPage(browser)
    await signIn(submitter, { role: 'submitter', org: HMRC })
  }
  return submitter
}

// The account bar every signed-in page shows.
function accountBar (page) {
  return page.locator('.app-account-bar')
}

// Seals a session as the portal does (AES-256-GCM under SHA-256 of PORTAL_SESSION_KEY, the
// cookie's name as additional data), so a test can hold a session the portal would have made
// but whose time is up, or one sealed under another key.
function sealSession (session, secret) {
  const key = createHash('sha256').update(secret).digest()
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(Buffer.from(sessionCookie))
  const body = Buffer.concat([cipher.update(JSON.stringify(session)), cipher.final(), cipher.getAuthTag()])
  return Buffer.concat([nonce, body]).toString('base64url')
}

function portalOrigin () {
  return new URL(PORTAL_URL).origin
}

async function withSessionCookie (value) {
  const page = await newPage(browser)
  await page.context().addCookies([{
    name: sessionCookie, value, domain: new URL(PORTAL_URL).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax'
  }])
  return page
}

test('the start page says what the service is for and offers Sign in', async () => {
  const page = await newPage(browser)
  const res = await page.goto(PORTAL_URL)
  assert.equal(res.status(), 200)
  await heading(page, 'Send and read DDaT workforce returns')
  assert.equal(await page.title(), 'Send and read DDaT workforce returns – DDaT workforce returns')
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
  assert.equal(await accountBar(page).count(), 0, 'nobody is signed in on the start page')
  await axeCheck(page, 'start page')
  await screenshot(page, 'start')
  await page.context().close()
})

test('every answer carries the security headers: a page, an error page, a signed-in page', async () => {
  const anon = await newPage(browser)
  const answers = [
    ['the start page', await anon.goto(PORTAL_URL)],
    ['page not found', await anon.goto(PORTAL_URL + '/no-such-page')]
  ]
  const page = await submitterPage()
  answers.push(['the accessibility statement, signed in', await page.goto(PORTAL_URL + '/accessibility')])
  for (const [what, res] of answers) {
    const h = res.headers()
    assert.ok(h['content-security-policy'], `${what}: a Content-Security-Policy`)
    assert.doesNotMatch(h['content-security-policy'], /unsafe-inline/, what)
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/, what)
    assert.match(h['strict-transport-security'] ?? '', /max-age=\d+/, `${what}: HSTS`)
    assert.ok(h['referrer-policy'], `${what}: a Referrer-Policy`)
    assert.equal(h['x-content-type-options'], 'nosniff', what)
    assert.equal(h['cache-control'], 'no-store', `${what}: pages are not cached`)
  }
  await anon.context().close()
})

test('a submitter signs in on the provider page by Role and Organisation and lands on Your returns', async () => {
  const page = await newPage(browser)
  await signIn(page, {
    role: 'submitter',
    org: HMRC,
    atProvider: async (p) => {
      assert.ok(p.url().startsWith(IDP_URL), `the provider's page, not ${p.url()}`)
      assert.equal(await p.title(), 'Sign in – local identity provider')
      await axeCheck(p, 'provider sign-in page')
      await screenshot(p, 'provider-sign-in')
    }
  })
  assert.equal(new URL(page.url()).pathname, '/portal/returns')
  await accountBar(page).getByText('Signed in as Local submitter, HM Revenue and Customs (submitter, HMRC)').waitFor()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()

  const cookie = (await page.context().cookies(portalOrigin())).find((c) => c.name === sessionCookie)
  assert.ok(cookie, 'the session cookie is set')
  assert.equal(cookie.httpOnly, true, 'HttpOnly')
  assert.equal(cookie.secure, true, 'Secure')
  assert.equal(cookie.sameSite, 'Lax', 'SameSite=Lax')
  assert.equal(cookie.path, '/')
  assert.ok(cookie.expires > Date.now() / 1000, 'the session has an end')
  assert.ok(cookie.expires <= Date.now() / 1000 + 24 * 3600, 'and it is within a day')

  // Signed in, the start page sends you on to your first page.
  await page.goto(PORTAL_URL)
  assert.equal(new URL(page.url()).pathname, '/portal/returns')
  await page.context().close()
})

for (const [role, org, home] of [
  ['approver', HMRC, '/portal/returns'],
  ['leader', 'Cabinet Office (CO)', '/portal/progress'],
  ['admin', 'Cabinet Office (CO)', '/portal/admin']
]) {
  test(`an ${role} signs in and lands on ${home}`, async () => {
    const page = await newPage(browser)
    await signIn(page, { role, org })
    assert.equal(new URL(page.url()).pathname, home)
    await accountBar(page).getByText(`Signed in as Local ${role}`).waitFor()
    await page.context().close()
  })
}

test('the accessibility statement, signed in and signed out', async () => {
  const page = await submitterPage()
  await page.getByRole('contentinfo').getByRole('link', { name: 'Accessibility statement' }).click()
  await heading(page, 'Accessibility statement for DDaT workforce returns')
  await accountBar(page).waitFor()
  await axeCheck(page, 'accessibility statement, signed in')
  await screenshot(page, 'accessibility')

  const anon = await newPage(browser)
  const res = await anon.goto(PORTAL_URL + '/accessibility')
  assert.equal(res.status(), 200)
  await heading(anon, 'Accessibility statement for DDaT workforce returns')
  await axeCheck(anon, 'accessibility statement, signed out')
  await anon.context().close()
})

test('a form posted without its CSRF token is refused, and the session still works', async () => {
  const page = await submitterPage()
  await page.goto(PORTAL_URL + '/accessibility')
  await heading(page, 'Accessibility statement for DDaT workforce returns')

  // The session cookie goes with page.request, as with the browser's own requests.
  for (const form of [{}, { csrf_token: 'not-this-sessions-token' }]) {
    const res = await page.request.post(PORTAL_URL + '/sign-out', { form, maxRedirects: 0 })
    assert.equal(res.status(), 403, `POST /portal/sign-out with ${JSON.stringify(form)}`)
    assert.match(await res.text(), /This form has expired/)
    assert.equal(res.headers().location, undefined, 'no redirect: nothing was done')
  }

  // The same, from the page itself: the sign-out form with its hidden token taken out.
  await page.locator('.app-account-bar form input[name="csrf_token"]').evaluate((el) => el.remove())
  await page.getByRole('button', { name: 'Sign out' }).click()
  await heading(page, 'This form has expired')
  assert.match(await page.title(), /^This form has expired – DDaT workforce returns$/)
  await axeCheck(page, 'form refused without its CSRF token')
  await screenshot(page, 'form-expired')

  // Still signed in: the refused sign-out changed nothing.
  await page.goto(PORTAL_URL + '/accessibility')
  await accountBar(page).getByText('Signed in as Local submitter').waitFor()
  const cookie = (await page.context().cookies(portalOrigin())).find((c) => c.name === sessionCookie)
  assert.ok(cookie, 'the session cookie is still there')
})

test('a page that does not exist is Page not found, signed in or not', async () => {
  const anon = await newPage(browser)
  const res = await anon.goto(PORTAL_URL + '/no-such-page')
  assert.equal(res.status(), 404)
  await heading(anon, 'Page not found')
  await anon.getByRole('link', { name: 'Sign in' }).waitFor()
  await axeCheck(anon, 'page not found, signed out')
  await screenshot(anon, 'not-found')
  await anon.context().close()

  const page = await submitterPage()
  const res2 = await page.goto(PORTAL_URL + '/returns/HMRC/no-such-quarter/nor-this')
  assert.equal(res2.status(), 404)
  await heading(page, 'Page not found')
  await accountBar(page).waitFor()
  await axeCheck(page, 'page not found, signed in')
})

test('the page for an account with no role in the service', async () => {
  const page = await submitterPage()
  const res = await page.goto(PORTAL_URL + '/no-access')
  assert.equal(res.status(), 403)
  await heading(page, 'Your account has no access to this service')
  await axeCheck(page, 'no access')
  await screenshot(page, 'no-access')
})

test('without a session, a page sends you to sign in and back to that page', async () => {
  const page = await newPage(browser)
  await page.goto(PORTAL_URL + '/accessibility') // open to anyone: no redirect
  await heading(page, 'Accessibility statement for DDaT workforce returns')
  await page.goto(PORTAL_URL + '/returns')
  await heading(page, 'Sign in to the local identity provider')
  assert.ok(page.url().startsWith(IDP_URL), `at the provider, not ${page.url()}`)
  await page.getByLabel('Role').selectOption({ label: 'Submitter' })
  await page.getByLabel('Organisation').selectOption({ label: HMRC })
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(PORTAL_URL + '/returns')
  await accountBar(page).getByText('Signed in as Local submitter').waitFor()

  // A form sent without a session is not kept, and says so.
  const anon = await newPage(browser)
  const res = await anon.request.post(PORTAL_URL + '/sign-out', { form: { csrf_token: 'x' }, maxRedirects: 0 })
  assert.equal(res.status(), 401)
  assert.match(await res.text(), /You have been signed out/)
  await anon.context().close()
  await page.context().close()
})

test('an expired session, or one the portal did not seal, counts as no session', async () => {
  const secret = process.env.PORTAL_SESSION_KEY
  assert.ok(secret, 'PORTAL_SESSION_KEY is in .local/stack.env')
  const now = Math.floor(Date.now() / 1000)
  const session = {
    sub: 'local-submitter-hmrc',
    name: 'Local submitter, HM Revenue and Customs',
    org: 'HMRC',
    roles: ['submitter'],
    at: 'an-access-token',
    csrf: 'a-csrf-token'
  }

  // The control: sealed with the stack's key and still in time, the portal takes it.
  const live = await withSessionCookie(sealSession({ ...session, exp: now + 600 }, secret))
  await live.goto(PORTAL_URL + '/accessibility')
  await accountBar(live).getByText('Signed in as Local submitter, HM Revenue and Customs').waitFor()
  await live.context().close()

  for (const [what, value] of [
    ['expired', sealSession({ ...session, exp: now - 60 }, secret)],
    ['sealed under another key', sealSession({ ...session, exp: now + 600 }, 'another secret of thirty-two or more characters')],
    ['not sealed at all', Buffer.from(JSON.stringify({ ...session, exp: now + 600 })).toString('base64url')]
  ]) {
    const page = await withSessionCookie(value)
    await page.goto(PORTAL_URL + '/accessibility')
    await heading(page, 'Accessibility statement for DDaT workforce returns')
    assert.equal(await accountBar(page).count(), 0, `a session ${what} shows nobody signed in`)
    await page.goto(PORTAL_URL + '/returns')
    await heading(page, 'Sign in to the local identity provider')
    assert.ok(page.url().startsWith(IDP_URL), `a session ${what}: sent to sign in, not to ${page.url()}`)
    const res = await page.request.post(PORTAL_URL + '/sign-out', { form: { csrf_token: session.csrf }, maxRedirects: 0 })
    assert.equal(res.status(), 401, `a form with a session ${what} is refused`)
    await page.context().close()
  }
})

test('Sign out ends the session, at the portal and at the provider', async () => {
  const page = await newPage(browser)
  await signIn(page, { role: 'submitter', org: HMRC })
  await page.getByRole('button', { name: 'Sign out' }).click()
  await heading(page, 'You have signed out')
  assert.equal(page.url(), PORTAL_URL + '/signed-out')
  assert.equal(await accountBar(page).count(), 0)
  const cookies = await page.context().cookies(portalOrigin())
  assert.equal(cookies.find((c) => c.name === sessionCookie), undefined, 'the session cookie is gone')
  await axeCheck(page, 'signed out')
  await screenshot(page, 'signed-out')

  // Signed out, your pages send you to sign in again.
  await page.goto(PORTAL_URL + '/returns')
  await heading(page, 'Sign in to the local identity provider')
  await page.goBack()
  await heading(page, 'You have signed out')
  await page.getByRole('link', { name: 'Sign in again' }).click()
  await heading(page, 'Sign in to the local identity provider')
  await page.context().close()
})
