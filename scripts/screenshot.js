// Screenshots a report page in headless Chromium (Debian's chromium): node scripts/screenshot.js FILE.html OUT.png
import { chromium } from 'playwright-core';
import path from 'node:path';

const [file, out = 'report.png'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`file://${path.resolve(file)}`);
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
