// Starts GOV.UK Frontend's JavaScript. Loaded as an external module script, because the portal's
// Content-Security-Policy allows no inline script:
//
//   <script type="module" src="/portal/assets/init-<hash>.js"
//           data-govuk-frontend="/portal/assets/govuk-frontend.min-<hash>.js"></script>
//
// data-govuk-frontend names the fingerprinted GOV.UK Frontend module; without it, init.js loads
// govuk-frontend.min.js from beside itself. It does what GOV.UK Frontend's page template does
// with its inline snippet: a browser that runs ES modules supports GOV.UK Frontend, so <body>
// gets the classes js-enabled and govuk-frontend-supported, and then initAll() starts every
// component on the page. Every page works without this file; it only enhances.

const body = document.body
body.classList.add('js-enabled', 'govuk-frontend-supported')

const script = document.querySelector('script[data-govuk-frontend]')
const src = script
  ? new URL(script.dataset.govukFrontend, document.baseURI)
  : new URL('./govuk-frontend.min.js', import.meta.url)

import(src.href)
  .then(({ initAll }) => initAll())
  .catch((error) => {
    // Without GOV.UK Frontend's JavaScript the no-JavaScript styles must come back, or
    // components styled for an enhanced page would hide their content.
    body.classList.remove('js-enabled', 'govuk-frontend-supported')
    console.error('GOV.UK Frontend did not start', error)
  })
