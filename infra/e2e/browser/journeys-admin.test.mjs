// The administrator's journey, against the running stack (make test): Administration, the
// register (add an organisation, first with mistakes and their GOV.UK validation messages, then
// corrected, and change one), run the rollup for a month (and again: nothing changed, so no new
// revision), and the returns missing for a quarter. Each run adds an organisation of its own,
// with a code no run has used, so the file passes on a fresh stack and when run again. axe on
// every page and state, and a screenshot of each in docs/screenshots/.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axeCheck, env, heading, launch, newPage, screenshot, signIn } from './lib.mjs'

const { PORTAL_URL } = env()

let browser
let admin // the administrator's page, signed in once

// An organisation code of this run's own: JRN- and the time in base 36, upper case.
const code = `JRN-${Date.now().toString(36).toUpperCase()}`
const name = `Journey Test Borough Council ${code.slice(4)}`

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

function main (page) {
  return page.locator('main')
}

// The error summary, and for each of its entries the field it links to, marked as GOV.UK
// marks a field in error: an error message inside its form group, with the group's and the
// field's error classes, and the message among the field's descriptions.
async function assertErrors (page, wantFields) {
  const summary = page.locator('.govuk-error-summary')
  await summary.getByRole('heading', { name: 'There is a problem' }).waitFor()
  assert.match(await page.title(), /^Error: /)
  const links = summary.getByRole('link')
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert.deepEqual(hrefs.map((h) => h.slice(1)).sort(), [...wantFields].sort(), 'the fields the error summary links to')
  for (const href of hrefs) {
    const field = page.locator(href)
    assert.equal(await field.count(), 1, `${href} is on the page`)
    const group = page.locator('.govuk-form-group--error').filter({ has: page.locator(href) })
    assert.ok(await group.count() >= 1, `${href} is in a form group marked as in error`)
    const message = group.first().locator('.govuk-error-message')
    assert.ok((await message.innerText()).trim().startsWith('Error:'), `${href}'s error message`)
    const messageId = await message.getAttribute('id')
    // The message describes the field (or, for radios and dates, its fieldset).
    const describedBy = await page.locator(`${href}, .govuk-form-group--error fieldset:has(${href})`).evaluateAll(
      (els) => els.map((e) => e.getAttribute('aria-describedby') ?? '').join(' '))
    assert.ok(describedBy.split(/\s+/).includes(messageId), `${href} is described by its error message ${messageId}`)
    const summaryText = (await summary.locator(`a[href="${href}"]`).innerText()).trim()
    assert.ok((await message.innerText()).includes(summaryText), `the summary and the field say the same: ${summaryText}`)
  }
}

test('Administration: the register, the rollup and missing returns', async () => {
  admin = await newPage(browser)
  await signIn(admin, { role: 'admin', org: 'Cabinet Office (CO)' })
  await heading(admin, 'Administration')
  assert.equal(new URL(admin.url()).pathname, '/portal/admin')
  for (const link of ['Organisations register', 'Run the rollup', 'Missing returns']) {
    await main(admin).getByRole('link', { name: link }).waitFor()
  }
  const nav = admin.getByRole('navigation', { name: 'Menu' })
  assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map((t) => t.trim()),
    ['Progress', 'Organisations', 'Workbooks', 'Administration'])
  await axeCheck(admin, 'administration')
  await screenshot(admin, 'admin')
})

test('the register lists every organisation, each with a Change link', async () => {
  await main(admin).getByRole('link', { name: 'Organisations register' }).click()
  await heading(admin, 'Organisations register')
  const table = admin.getByRole('table', { name: /^\d+ organisations in the register$/ })
  const rows = table.locator('tbody tr')
  assert.ok(await rows.count() >= 30, 'the 30 organisations of the seed, at least')
  // "Change" repeats, so each says which organisation it changes.
  await table.getByRole('link', { name: 'Change HM Revenue and Customs', exact: true }).waitFor()
  await axeCheck(admin, 'organisations register')
  await screenshot(admin, 'register')
})

test('Add an organisation: mistakes get GOV.UK validation messages, then the corrected form adds it', async () => {
  await admin.getByRole('button', { name: 'Add an organisation' }).click()
  await heading(admin, 'Add an organisation')
  await axeCheck(admin, 'add an organisation')
  await screenshot(admin, 'register-add')

  await admin.getByLabel('Organisation code').fill('journey test!')
  await admin.getByLabel('Name', { exact: true }).fill(name)
  await admin.getByLabel('Baseline headcount').fill('about 200')
  await admin.getByLabel('Returns contacts (optional)').fill('not an email address')
  await admin.getByRole('button', { name: 'Add organisation' }).click()
  await heading(admin, 'Add an organisation')
  await assertErrors(admin, ['code', 'kind', 'baseline_headcount', 'returns_contacts'])
  // What was typed is kept, so it can be corrected.
  assert.equal((await admin.getByLabel('Organisation code').inputValue()).toLowerCase(), 'journey test!')
  assert.equal(await admin.getByLabel('Name', { exact: true }).inputValue(), name)
  await axeCheck(admin, 'add an organisation: mistakes shown')
  await screenshot(admin, 'register-add-error')

  // The summary's links go to their fields.
  await admin.locator('.govuk-error-summary').getByRole('link').first().click()
  assert.equal(await admin.evaluate(() => document.activeElement?.id), 'code', 'the first link moves the focus to the code')

  await admin.getByLabel('Organisation code').fill(code)
  await admin.getByLabel('Local government body').check()
  await admin.getByLabel('Baseline headcount').fill('')
  await admin.getByLabel('Returns contacts (optional)').fill('returns@journey-test.example.gov.uk')
  await admin.getByRole('button', { name: 'Add organisation' }).click()
  await heading(admin, 'Organisations register')
  const banner = admin.locator('.govuk-notification-banner--success')
  assert.match(await banner.innerText(), new RegExp(`Organisation added[\\s\\S]*${name} \\(${code}\\) has been added to the register`))
  const row = admin.getByRole('row').filter({ has: admin.getByRole('rowheader', { name, exact: true }) })
  assert.match(await row.innerText(), new RegExp(`${code}\\s+Local government[\\s\\S]*1 contact`))
  await axeCheck(admin, 'organisations register: organisation added')
  await screenshot(admin, 'register-added')
})

test('an organisation already in the register cannot be added again', async () => {
  await admin.goto(PORTAL_URL + '/admin/register/new')
  await heading(admin, 'Add an organisation')
  await admin.getByLabel('Organisation code').fill('HMRC')
  await admin.getByLabel('Name', { exact: true }).fill('HM Revenue and Customs')
  await admin.getByLabel('Civil service organisation').check()
  await admin.getByLabel('Baseline headcount').fill('70925')
  await admin.getByRole('button', { name: 'Add organisation' }).click()
  await heading(admin, 'Add an organisation')
  await assertErrors(admin, ['code'])
  await axeCheck(admin, 'add an organisation: the code is taken')
})

test('Change an organisation: a mistake is shown, the correction saved', async () => {
  await admin.goto(PORTAL_URL + '/admin/register')
  await admin.getByRole('link', { name: `Change ${name}`, exact: true }).click()
  await heading(admin, `Change ${name}`)
  await main(admin).getByText(code, { exact: true }).waitFor() // the code, which cannot change
  assert.equal(await admin.getByLabel('Organisation code').count(), 0, 'the code is not a field')
  assert.equal(await admin.getByLabel('Local government body').isChecked(), true)
  await axeCheck(admin, 'change an organisation')
  await screenshot(admin, 'register-change')

  await admin.getByLabel('Day').first().fill('31')
  await admin.getByLabel('Month').first().fill('2')
  await admin.getByLabel('Year').first().fill('2025')
  await admin.getByRole('button', { name: 'Save changes' }).click()
  await heading(admin, `Change ${name}`)
  await assertErrors(admin, ['active_from-day'])
  await axeCheck(admin, 'change an organisation: a date that does not exist')
  await screenshot(admin, 'register-change-error')

  await admin.getByLabel('Day').first().fill('')
  await admin.getByLabel('Month').first().fill('')
  await admin.getByLabel('Year').first().fill('')
  await admin.getByLabel('Returns contacts (optional)').fill('returns@journey-test.example.gov.uk\nanalyst@journey-test.example.gov.uk')
  await admin.getByRole('button', { name: 'Save changes' }).click()
  await heading(admin, 'Organisations register')
  assert.match(await admin.locator('.govuk-notification-banner--success').innerText(),
    new RegExp(`Organisation changed[\\s\\S]*${name} \\(${code}\\) has been changed in the register`))
  const row = admin.getByRole('row').filter({ has: admin.getByRole('rowheader', { name, exact: true }) })
  assert.match(await row.innerText(), /2 contacts/)
})

test('Run the rollup for a month, then again: nothing changed, so no new revision', async () => {
  await admin.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Administration' }).click()
  await main(admin).getByRole('link', { name: 'Run the rollup' }).click()
  await heading(admin, 'Run the rollup')
  await axeCheck(admin, 'run the rollup')
  await screenshot(admin, 'rollup')

  // The oldest month offered: its reference quarter is one no other journey sends.
  const month = admin.getByLabel('Month')
  const oldest = month.locator('option').last()
  const monthName = (await oldest.innerText()).trim()
  await month.selectOption(await oldest.getAttribute('value'))
  await admin.getByRole('button', { name: 'Run the rollup' }).click()
  await heading(admin, 'Run the rollup')
  const banner = admin.locator('.govuk-notification-banner--success')
  const first = await banner.innerText()
  const m = new RegExp(`${monthName} (rolled up|is up to date): revision (\\d+)`).exec(first)
  assert.ok(m, `the banner says the month was rolled up: ${first}`)
  const revision = m[2]
  const summary = await main(admin).locator('.govuk-summary-list').innerText()
  assert.match(summary, new RegExp(`Month\\s+${monthName}`))
  assert.match(summary, new RegExp(`Revision\\s+${revision}`))
  assert.match(summary, /Workbooks/)
  await axeCheck(admin, 'run the rollup: done')
  await screenshot(admin, 'rollup-done')

  await month.selectOption(await month.locator('option').last().getAttribute('value'))
  await admin.getByRole('button', { name: 'Run the rollup' }).click()
  await heading(admin, 'Run the rollup')
  assert.match(await banner.innerText(), new RegExp(`${monthName} is up to date: revision ${revision}`))
  await main(admin).getByText('no new revision was made').waitFor()
  await axeCheck(admin, 'run the rollup: up to date')
})

test('Missing returns for the reference quarter, and for a quarter asked for', async () => {
  await admin.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Administration' }).click()
  await main(admin).getByRole('link', { name: 'Missing returns' }).click()
  await heading(admin, 'Missing returns')
  const intro = await main(admin).locator('.govuk-body-l').innerText()
  assert.match(intro, /^Returns for \d{4}-\d{2} Q[1-4] \(.+\), (which were due|due) on \d+ \w+ \d{4}\.$/)
  const table = admin.getByRole('table', { name: /^Returns not received for / })
  const rows = table.locator('tbody tr')
  assert.ok(await rows.count() >= 1, 'some organisation has not sent its return')
  for (const tag of await rows.locator('.govuk-tag').allInnerTexts()) assert.ok(tag.trim(), 'each status is a word')
  // This run's organisation has just been added, and owes the quarter.
  await table.getByRole('rowheader', { name: new RegExp(`^${name}`) }).waitFor()
  await axeCheck(admin, 'missing returns')
  await screenshot(admin, 'missing-returns')

  await admin.getByLabel('Quarter').fill('2025 Q1')
  await admin.getByRole('button', { name: 'Show missing returns' }).click()
  await heading(admin, 'Missing returns')
  await assertErrors(admin, ['period'])
  await axeCheck(admin, 'missing returns: a quarter that cannot be read')
  await screenshot(admin, 'missing-returns-error')

  await admin.getByLabel('Quarter').fill('2024-25 Q1')
  await admin.getByRole('button', { name: 'Show missing returns' }).click()
  await heading(admin, 'Missing returns')
  assert.match(await main(admin).locator('.govuk-body-l').innerText(), /^Returns for 2024-25 Q1 /)
})
