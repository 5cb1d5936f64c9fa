// Browser test of the chat page at "/" in real headless Chromium (Debian's chromium; no browser is downloaded).
//
//   APP_URL=http://127.0.0.1:8001/ node --test chat-page.test.mjs
//
// APP_URL must point at the service running against the fake Ollama (fake-ollama/), whose streamed answer after a
// tool result is dribbled over about 1.3 s. CHROMIUM_PATH overrides /usr/bin/chromium. Screenshots go to
// target/browser/ of the checkout (SCREENSHOT_DIR overrides). scripts/browser-check.sh sets all of this up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const APP_URL = process.env.APP_URL;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || path.resolve(here, '../../target/browser');
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
const TEST_TIMEOUT = 60_000;
const WAIT = { timeout: 20_000 };

const QUESTION = 'Calculate 5 + 3';
const TOOL_RESULT = 'The sum of 5 and 3 is 8.';
const ANSWER = 'The result of 5 + 3 is 8.';

let context;
let userDataDir;

before(async () => {
  assert.ok(APP_URL, 'set APP_URL to the running service, e.g. http://127.0.0.1:8001/');
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  userDataDir = await mkdtemp(path.join(tmpdir(), 'chat-page-chromium-'));
  // A persistent context on a fresh temporary profile is how Playwright takes a --user-data-dir of our own.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    timeout: 30_000,
  });
});

after(async () => {
  await context?.close();
  if (userDataDir) {
    await rm(userDataDir, { recursive: true, force: true });
  }
});

async function openPage(viewport) {
  const page = await context.newPage();
  if (viewport) {
    await page.setViewportSize(viewport);
  }
  page.consoleErrors = [];
  page.on('pageerror', (error) => page.consoleErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      page.consoleErrors.push(message.text());
    }
  });
  await page.goto(APP_URL, { waitUntil: 'load' });
  return page;
}

/** Records each distinct text of the last assistant reply until its usage line shows, into window.__snapshots. */
async function recordReplySnapshots(page) {
  await page.evaluate(() => {
    window.__snapshots = [];
    const log = document.getElementById('conversation');
    const observer = new MutationObserver(() => {
      const replies = log.querySelectorAll('.message.assistant');
      const reply = replies[replies.length - 1];
      if (!reply) {
        return;
      }
      const text = reply.querySelector('.text').textContent;
      const snapshots = window.__snapshots;
      if (text !== '' && text !== snapshots[snapshots.length - 1]) {
        snapshots.push(text);
      }
      if (!reply.querySelector('.meta').hidden) {
        observer.disconnect();
      }
    });
    observer.observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
  });
}

async function waitForReplyDone(page) {
  await page.locator('.message.assistant .meta').last().waitFor({ state: 'visible', ...WAIT });
}

test('streams the reply token by token, shows the tool chip and the usage line', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openPage();
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'up', null, WAIT);
  assert.match(await page.locator('#status').textContent(), /Ollama reachable.*model .+ present.*MCP: calculator up/);

  await recordReplySnapshots(page);
  await page.locator('#message').click();
  await page.keyboard.type(QUESTION);
  await page.keyboard.press('Enter');

  const chip = page.locator('.message.assistant .chip[data-tool="add"]');
  await chip.locator('.chip-result', { hasText: TOOL_RESULT }).waitFor(WAIT);
  assert.equal(await chip.locator('.chip-name').textContent(), 'add');
  assert.match(await chip.locator('.chip-args').textContent(), /"a":5.*"b":3/);
  assert.equal(await chip.getAttribute('data-state'), 'ok');

  await waitForReplyDone(page);
  const finalText = await page.locator('.message.assistant .text').last().textContent();
  assert.equal(finalText, ANSWER);
  assert.equal(await page.locator('.message.user .text').last().textContent(), QUESTION);

  const snapshots = await page.evaluate(() => window.__snapshots);
  const intermediate = [...new Set(snapshots.filter((text) => text !== finalText))];
  assert.ok(intermediate.length >= 2,
    `expected at least two intermediate states of the streamed reply, saw ${JSON.stringify(snapshots)}`);
  for (const text of intermediate) {
    assert.ok(finalText.startsWith(text), `intermediate text ${JSON.stringify(text)} is not a prefix of the answer`);
  }
  t.diagnostic(`${intermediate.length} intermediate states of the reply: ${JSON.stringify(intermediate)}`);

  const usage = await page.locator('.message.assistant .meta').last().textContent();
  const counts = usage.match(/(\d+) tokens in · (\d+) tokens out/);
  assert.ok(counts, `usage line without token counts: ${usage}`);
  assert.ok(Number(counts[1]) > 0 && Number(counts[2]) > 0, `token counts should be positive: ${usage}`);
  assert.match(usage, /\d+ ms · first token \d+ ms/);

  assert.equal(await page.locator('#message').inputValue(), '', 'the message box is emptied after sending');
  assert.deepEqual(page.consoleErrors, [], 'errors in the browser console');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-desktop.png') });
  await page.close();
});

test('the SSE parser handles events split anywhere across chunks', { timeout: TEST_TIMEOUT }, async () => {
  const page = await openPage();
  const result = await page.evaluate(() => {
    const stream = 'event: token\r\ndata: {"text":"a"}\r\n\r\n: keep-alive\n\n'
      + 'event: tool_result\ndata: {"name":"add",\ndata: "result":"ü 8"}\n\n'
      + 'event: done\rdata: {"conversationId":"c1"}\r\r';
    const parse = (pieces) => {
      const events = [];
      const parser = window.ollamaChat.createSseParser((name, data) => events.push([name, data]));
      pieces.forEach((piece) => parser.push(piece));
      parser.end();
      return JSON.stringify(events);
    };
    const whole = parse([stream]);
    const failures = [];
    for (let i = 1; i < stream.length; i++) {
      const split = parse([stream.slice(0, i), stream.slice(i)]);
      if (split !== whole) {
        failures.push(i);
      }
    }
    return { whole, failures, perChar: parse([...stream]) === whole };
  });
  assert.equal(result.whole, JSON.stringify([
    ['token', '{"text":"a"}'],
    ['tool_result', '{"name":"add",\n"result":"ü 8"}'],
    ['done', '{"conversationId":"c1"}'],
  ]));
  assert.deepEqual(result.failures, [], 'split positions that changed the parsed events');
  assert.ok(result.perChar, 'feeding one character at a time changed the parsed events');
  await page.close();
});

test('fits a phone screen: message box and send button visible, no sideways scrolling', { timeout: TEST_TIMEOUT }, async () => {
  const viewport = { width: 390, height: 844 };
  const page = await openPage(viewport);
  for (const selector of ['#message', '#send', '#new-conversation']) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(await page.locator(selector).isVisible(), `${selector} is not visible`);
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width
      && box.y + box.height <= viewport.height, `${selector} is outside the phone viewport: ${JSON.stringify(box)}`);
  }
  await page.locator('#message').fill(QUESTION);
  await page.locator('#send').click();
  await page.locator('.chip .chip-result', { hasText: TOOL_RESULT }).waitFor(WAIT);
  await waitForReplyDone(page);
  assert.equal(await page.locator('.message.assistant .text').last().textContent(), ANSWER);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= viewport.width, `page is ${scrollWidth}px wide on a ${viewport.width}px screen`);
  assert.ok(await page.locator('#send').isVisible(), 'send button hidden after a reply');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-phone.png') });
  await page.close();
});

test('works by keyboard alone: Tab reaches the message box, Enter sends', { timeout: TEST_TIMEOUT }, async () => {
  const page = await openPage();
  const order = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const active = document.activeElement;
      return { id: active.id, outline: getComputedStyle(active).outlineStyle };
    });
    order.push(focused.id || '?');
    assert.notEqual(focused.outline, 'none', `focused element #${focused.id} has no visible focus outline`);
    if (focused.id === 'message') {
      break;
    }
  }
  assert.equal(order[order.length - 1], 'message', `Tab never reached the message box; focus went ${order}`);
  assert.ok(order.indexOf('new-conversation') < order.indexOf('message'), `focus order: ${order}`);

  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  assert.equal(await page.locator('#message').inputValue(), 'line one\nline two', 'Shift+Enter adds a new line');
  assert.equal(await page.locator('.message').count(), 0, 'Shift+Enter must not send');

  await page.keyboard.press('Enter');
  await waitForReplyDone(page);
  assert.equal(await page.locator('.message.user .text').textContent(), 'line one\nline two');
  assert.equal(await page.locator('.message.assistant .text').textContent(), 'Hello from the fake Ollama.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'message', 'focus stays in the message box');

  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  const focusedBack = await page.evaluate(() => document.activeElement.id);
  assert.equal(focusedBack, 'new-conversation', 'Shift+Tab from the message box goes back to New conversation');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.message').count(), 0, 'New conversation clears the view');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'message', 'focus returns to the message box');
  await page.close();
});

test('shows problem+json answers and error events with title and detail', { timeout: TEST_TIMEOUT }, async () => {
  const page = await openPage();
  let calls = 0;
  await page.route('**/api/chat/stream', (route) => {
    calls += 1;
    if (calls === 1) {
      return route.fulfill({
        status: 502,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank', title: 'Model not found', status: 502,
          detail: 'Run: ollama pull llama3.1:8b <b>not markup</b>',
        }),
      });
    }
    return route.fulfill({
      status: 200,
      contentType: 'text/event-stream; charset=utf-8',
      body: 'event: tool_call\ndata: {"name":"divide","arguments":{"a":1,"b":0}}\n\n'
        + 'event: tool_result\ndata: {"name":"divide","error":"Division by zero"}\n\n'
        + 'event: token\ndata: {"text":"Part"}\n\n'
        + 'event: error\ndata: {"status":504,"title":"Ollama timed out","detail":"No answer within 120s"}\n\n',
    });
  });

  await page.locator('#message').fill('first');
  await page.keyboard.press('Enter');
  const problem = page.locator('.message.assistant .problem').first();
  await problem.waitFor(WAIT);
  assert.equal(await problem.getAttribute('role'), 'alert');
  assert.equal(await problem.locator('.problem-title').textContent(), 'Model not found (502)');
  assert.equal(await problem.locator('.problem-detail').textContent(), 'Run: ollama pull llama3.1:8b <b>not markup</b>');
  assert.equal(await page.locator('.problem b').count(), 0, 'service text must not become markup');

  await page.locator('#message').fill('second');
  await page.keyboard.press('Enter');
  const failed = page.locator('.message.assistant').nth(1);
  await failed.locator('.problem').waitFor(WAIT);
  assert.equal(await failed.locator('.problem-title').textContent(), 'Ollama timed out (504)');
  assert.equal(await failed.locator('.problem-detail').textContent(), 'No answer within 120s');
  assert.equal(await failed.locator('.chip[data-tool="divide"]').getAttribute('data-state'), 'error');
  assert.equal(await failed.locator('.chip-result').textContent(), 'Error: Division by zero');
  assert.equal(await failed.locator('.text').textContent(), 'Part');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-errors.png') });
  await page.close();
});

test('asks for the API key on a 401 once, sends it, and keeps it for the tab', { timeout: TEST_TIMEOUT }, async () => {
  const page = await openPage();
  const KEY = 'alice-key-0123456789';
  const seen = [];
  await page.route('**/api/chat/stream', (route) => {
    const authorization = route.request().headers().authorization || null;
    seen.push(authorization);
    if (authorization !== `Bearer ${KEY}`) {
      return route.fulfill({
        status: 401,
        contentType: 'application/problem+json',
        headers: { 'WWW-Authenticate': 'Bearer realm="ollama-chat"' },
        body: JSON.stringify({ type: 'urn:ollama-chat:problem:unauthorized', title: 'Unauthorized', status: 401,
          detail: 'This service needs an API key' }),
      });
    }
    return route.fulfill({
      status: 200,
      contentType: 'text/event-stream; charset=utf-8',
      body: 'event: token\ndata: {"text":"Welcome back"}\n\n'
        + 'event: done\ndata: {"conversationId":"c1","model":"m","usage":{"inputTokens":1,"outputTokens":2},'
        + '"durationMs":3,"warnings":[]}\n\n',
    });
  });
  let prompts = 0;
  page.on('dialog', (dialog) => {
    prompts += 1;
    dialog.accept(KEY);
  });

  await page.locator('#message').fill('hello');
  await page.keyboard.press('Enter');
  await page.locator('.message.assistant .text').first().waitFor(WAIT);
  await page.waitForFunction(() => document.querySelector('.message.assistant .text')?.textContent === 'Welcome back',
    null, WAIT);
  assert.deepEqual(seen, [null, `Bearer ${KEY}`], 'first without a key, then with the one typed in');
  assert.equal(prompts, 1);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ollama-chat.api-key')), KEY);

  await page.locator('#message').fill('again');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.message.assistant').length === 2
    && document.querySelectorAll('.message.assistant')[1].querySelector('.text')?.textContent === 'Welcome back',
  null, WAIT);
  assert.equal(seen[2], `Bearer ${KEY}`, 'the next message sends the kept key');
  assert.equal(prompts, 1, 'asked once');
  await page.close();
});
