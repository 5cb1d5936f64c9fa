// Opens a page of the Phoenix UI in headless Chromium (Debian's chromium; nothing is downloaded), waits until it
// shows the expected texts, and saves a screenshot. Used with the links the service hands out: a reply's traceUrl
// (<ui>/redirects/traces/<traceId>) and Phoenix's own /redirects/sessions/<session id>.
//
//   node phoenix-screenshot.mjs <url> <out.png> [options] [expected text ...]
//     --resolves-to <text>  the redirect counts as resolved when the page it lands on has <text> in its URL
//     --select <text>       clicks that text after the expected texts show (e.g. a span of the trace tree)
//     --open <text>         clicks that text first (e.g. a row that opens a detail panel)
//     --optional <text>     reported in "optionalFound" when visible; never fails the run
//
// playwright-core is taken from e2e/node_modules (run `npm ci` there first). CHROMIUM_PATH overrides
// /usr/bin/chromium. Prints one JSON line: {resolved, redirectedTo, finalUrl, found, missing, optionalFound, ...}.
// Exits 0 when the screenshot was taken and every expected text showed; 1 otherwise.
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const PAGE_TIMEOUT = 30_000;
const TEXT_WAIT = 20_000;

function parseArgs(argv) {
  const options = { expected: [], optional: [] };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--resolves-to') options.resolvesTo = argv[++i];
    else if (arg === '--select') options.select = argv[++i];
    else if (arg === '--open') options.open = argv[++i];
    else if (arg === '--optional') options.optional.push(argv[++i]);
    else positional.push(arg);
  }
  [options.url, options.out, ...options.expected] = positional;
  return options;
}

const options = parseArgs(process.argv.slice(2));
if (!options.url || !options.out) {
  console.error('usage: node phoenix-screenshot.mjs <url> <out.png> [--resolves-to t] [--select t] [--open t] '
    + '[--optional t] [expected text ...]');
  process.exit(2);
}

const isVisible = (page, text) => page.getByText(text, { exact: true }).first().isVisible().catch(() => false);

async function waitForTexts(page, texts, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let found = [];
  do {
    found = [];
    for (const text of texts) {
      if (await isVisible(page, text)) found.push(text);
    }
    if (found.length === texts.length) break;
    await page.waitForTimeout(500);
  } while (Date.now() < deadline);
  return found;
}

async function click(page, text) {
  await page.getByText(text, { exact: false }).first().click({ timeout: 10_000 }).catch(() => {});
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(1_000);
}

const userDataDir = await mkdtemp(path.join(tmpdir(), 'phoenix-ui-chromium-'));
let context;
let status = 1;
try {
  await mkdir(path.dirname(options.out), { recursive: true });
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1600, height: 1000 },
    timeout: PAGE_TIMEOUT,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(PAGE_TIMEOUT);

  await page.goto(options.url, { waitUntil: 'domcontentloaded' });
  // /redirects/... is resolved by Phoenix's single-page app: wait until it has moved on
  await page.waitForURL((url) => !url.pathname.startsWith('/redirects/'), { timeout: PAGE_TIMEOUT }).catch(() => {});
  await page.waitForLoadState('networkidle').catch(() => {});
  const redirectedTo = page.url();
  const landed = !new URL(redirectedTo).pathname.startsWith('/redirects/');
  const resolved = landed && (!options.resolvesTo || redirectedTo.includes(options.resolvesTo));

  if (options.open) {
    await waitForTexts(page, [options.open], TEXT_WAIT);
    await click(page, options.open);
  }
  let found = await waitForTexts(page, options.expected, TEXT_WAIT);
  if (found.length < options.expected.length) { // one reload settles a slow first load
    await page.reload({ waitUntil: 'networkidle' }).catch(() => {});
    if (options.open) await click(page, options.open);
    found = await waitForTexts(page, options.expected, TEXT_WAIT / 2);
  }
  if (options.select && found.includes(options.select)) {
    await click(page, options.select);
  }
  const optionalFound = [];
  for (const text of options.optional) {
    if (await isVisible(page, text)) optionalFound.push(text);
  }
  await page.screenshot({ path: options.out, fullPage: false });
  const missing = options.expected.filter((text) => !found.includes(text));
  console.log(JSON.stringify({
    resolved,
    redirectedTo,
    finalUrl: page.url(),
    title: await page.title(),
    found,
    missing,
    optionalFound,
    screenshot: options.out,
  }));
  status = missing.length === 0 ? 0 : 1;
} catch (error) {
  console.log(JSON.stringify({ error: String(error && error.message ? error.message : error) }));
} finally {
  await context?.close().catch(() => {});
  await rm(userDataDir, { recursive: true, force: true });
}
process.exit(status);
