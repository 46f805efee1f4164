// Lighthouse (npm, the version deploy/ci/prepare-test-machine.sh installs) against several pages of
// a running service, signed in by the cookie given, in one Chromium: prints one JSON line per page
// with its category scores and the audits that cost points, and keeps each full report.
// The session cookie goes into the browser's cookie jar (through Puppeteer, which Lighthouse drives
// anyway), as a person's browser holds it: a Cookie header forced on every request clashes with the
// cookies the pages set themselves.
//
// usage: node lighthouse.mjs AUDIT_DIR REPORT_DIR NAME=VALUE URL...
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [auditDir, reportDir, cookie, ...urls] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(auditDir, 'node_modules', p)).href);
const { default: lighthouse } = await load('lighthouse/core/index.js');
const { default: desktop } = await load('lighthouse/core/config/desktop-config.js');
const chromeLauncher = await load('chrome-launcher/dist/index.js');
const { default: puppeteer } = await load('puppeteer-core/lib/esm/puppeteer/puppeteer-core.js');

const chrome = await chromeLauncher.launch({
  chromePath: '/usr/bin/chromium',
  // ENVIRONMENT.md: without these Chromium keeps trying connections this machine refuses.
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const categories = ['performance', 'accessibility', 'best-practices'];
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
const page = await browser.newPage();
const eq = cookie.indexOf('=');
await page.setCookie({ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: urls[0], httpOnly: true,
  sameSite: 'Strict' });
try {
  for (const [i, url] of urls.entries()) {
    const run = await lighthouse(url, {
      output: 'json', logLevel: 'error', onlyCategories: categories,
    }, desktop, page);
    const lhr = run.lhr;
    writeFileSync(join(reportDir, `page-${i}.json`), run.report);
    const scores = Object.fromEntries(categories.map((c) => [c, lhr.categories[c].score]));
    const lost = [];
    for (const c of categories) {
      for (const ref of lhr.categories[c].auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) lost.push(`${c}: ${a.id} (${a.score}) ${a.title}`);
      }
    }
    console.log(JSON.stringify({ url, finalUrl: lhr.finalDisplayedUrl, scores, lost,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null }));
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
}
