'use strict';

/*
 * The chat page: sends a message to POST /api/chat/stream, reads the Server-Sent Events from the response body
 * and renders them as they come. Model output and service answers are only ever put into the page as text.
 */
(() => {
  const STATUS_REFRESH_MS = 15000;
  const RENDER_INTERVAL_MS = 50; // a streamed answer is rendered again at most this often

  const log = document.getElementById('conversation');
  const emptyNote = document.getElementById('empty');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const sendButton = document.getElementById('send');
  const newButton = document.getElementById('new-conversation');
  const status = document.getElementById('status');
  const statusText = document.getElementById('status-text');
  const modelPicker = document.getElementById('model-picker');
  const historyBox = document.getElementById('history');
  const historyToggle = document.getElementById('history-toggle');
  const historyNote = document.getElementById('history-note');
  const historyList = document.getElementById('history-list');
  const modelSelect = document.getElementById('model');

  let conversationId = null;
  let historyMissing = false; // the service has no conversation list (404/405): the page does without
  let inFlight = null; // the turn being streamed: { controller, reply }

  // With CHAT_API_KEYS set, the API answers 401 without a key: the page asks for it once and keeps it for this tab.
  const KEY_STORAGE = 'ollama-chat.api-key';
  // The model picked in this browser, kept across visits.
  const MODEL_STORAGE = 'ollama-chat.model';

  function withKey(options) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    const headers = { ...(options.headers || {}) };
    if (key) {
      headers.Authorization = `Bearer ${key}`;
    }
    return { ...options, headers };
  }

  /**
   * fetch with the tab's API key. On a 401 it asks for the key (unless ask is false: what the page loads on its own
   * waits until the user has given one) and tries once more.
   */
  async function apiFetch(url, options = {}, { ask = true } = {}) {
    const response = await fetch(url, withKey(options));
    if (response.status !== 401 || !ask) {
      return response;
    }
    const key = window.prompt('This chat needs an API key. Enter yours (kept in this tab only):');
    if (!key || !key.trim()) {
      return response;
    }
    sessionStorage.setItem(KEY_STORAGE, key.trim());
    const retried = await fetch(url, withKey(options));
    if (retried.status !== 401) {
      setTimeout(keyGiven, 0);
    }
    return retried;
  }

  /** A key was given: load what needed one. */
  function keyGiven() {
    if (modelPicker.hidden) {
      loadModels();
    }
    refreshHistory();
  }

  /**
   * A Server-Sent Events parser fed with decoded text in pieces of any size: a line, a field or an event may be
   * split across pieces. Calls onEvent(name, data) for each complete event; comment lines are skipped.
   */
  function createSseParser(onEvent) {
    let buffer = '';
    let eventName = '';
    let dataLines = [];

    function dispatch() {
      if (dataLines.length > 0) {
        onEvent(eventName || 'message', dataLines.join('\n'));
      }
      eventName = '';
      dataLines = [];
    }

    function processLine(line) {
      if (line === '') {
        dispatch();
        return;
      }
      if (line.startsWith(':')) {
        return;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (field === 'event') {
        eventName = value;
      } else if (field === 'data') {
        dataLines.push(value);
      }
    }

    return {
      push(text) {
        buffer += text;
        const lineEnd = /\r\n|\n|\r/g;
        let start = 0;
        let match;
        while ((match = lineEnd.exec(buffer)) !== null) {
          if (match[0] === '\r' && lineEnd.lastIndex === buffer.length) {
            break; // a lone CR at the end: wait, the LF of a CRLF may come in the next piece
          }
          processLine(buffer.slice(start, match.index));
          start = lineEnd.lastIndex;
        }
        buffer = buffer.slice(start);
      },
      end() {
        if (buffer !== '') {
          processLine(buffer.replace(/\r$/, ''));
          buffer = '';
        }
        dispatch();
      },
    };
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /** Model text as Markdown: safe DOM nodes from markdown.js, or plain text should that script be missing. */
  function renderMarkdown(markdown) {
    if (window.ollamaMarkdown) {
      return window.ollamaMarkdown.render(markdown);
    }
    return document.createTextNode(markdown);
  }

  /** Runs a change to the conversation and keeps it scrolled to the end if it was there before. */
  function update(change) {
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    change();
    if (atEnd) {
      log.scrollTop = log.scrollHeight;
    }
  }

  function addUserMessage(text) {
    update(() => {
      emptyNote.hidden = true;
      log.querySelector('.load-failure')?.remove(); // a conversation that could not be opened: this is a fresh one
      const article = element('article', 'message user');
      article.append(element('p', 'who', 'You'), element('p', 'text', text));
      log.append(article);
    });
  }

  function formatArguments(args) {
    if (args === undefined || args === null) {
      return '{}';
    }
    return typeof args === 'string' ? args : JSON.stringify(args);
  }

  function formatMs(ms) {
    return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
  }

  /** The assistant's side of one turn, filled in as the events arrive. */
  function createReply() {
    const article = element('article', 'message assistant');
    const tools = element('ul', 'tools');
    tools.setAttribute('aria-label', 'Tool calls');
    tools.hidden = true;
    const text = element('div', 'text markdown pending');
    const meta = element('p', 'meta');
    meta.hidden = true;
    article.append(element('p', 'who', 'Assistant'), tools, text, meta);
    update(() => log.append(article));

    // the answer's Markdown so far; rendered again as it grows, at most every RENDER_INTERVAL_MS
    let markdown = '';
    let renderTimer = null;
    let renderedAt = 0;

    function render() {
      clearTimeout(renderTimer);
      renderTimer = null;
      renderedAt = Date.now();
      update(() => text.replaceChildren(renderMarkdown(markdown)));
    }

    function scheduleRender() {
      if (renderTimer === null) {
        renderTimer = setTimeout(render, Math.max(0, renderedAt + RENDER_INTERVAL_MS - Date.now()));
      }
    }

    function flush() {
      if (renderTimer !== null) {
        render();
      }
    }

    let stopped = false;

    return {
      appendToken(piece) {
        if (stopped) {
          return;
        }
        text.classList.remove('pending');
        markdown += piece;
        scheduleRender();
      },
      /** A whole stored answer (of a conversation opened from the list), rendered at once. */
      appendText(content) {
        text.classList.remove('pending');
        markdown += (markdown ? '\n\n' : '') + content;
        render();
      },
      toolCall(name, args) {
        update(() => {
          const chip = element('li', 'chip');
          chip.dataset.tool = name ?? '';
          chip.dataset.state = 'pending';
          const result = element('span', 'chip-result', 'running…');
          chip.append(element('span', 'chip-name', name), element('code', 'chip-args', formatArguments(args)),
              result);
          tools.hidden = false;
          tools.append(chip);
        });
      },
      toolResult(name, result, error) {
        const chips = [...tools.children];
        const chip = chips.find((c) => c.dataset.tool === name && c.dataset.state === 'pending')
            || chips.find((c) => c.dataset.state === 'pending');
        if (!chip) {
          this.toolCall(name, undefined);
          this.toolResult(name, result, error);
          return;
        }
        const failed = error !== undefined && error !== null;
        chip.dataset.state = failed ? 'error' : 'ok';
        const out = chip.querySelector('.chip-result');
        out.textContent = failed ? `Error: ${error}` : String(result ?? '');
      },
      done(event) {
        flush();
        const usage = event.usage || {};
        const parts = [];
        if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) {
          parts.push(`${usage.inputTokens} tokens in`, `${usage.outputTokens} tokens out`);
        }
        if (typeof event.durationMs === 'number') {
          parts.push(formatMs(event.durationMs));
        }
        if (typeof event.timeToFirstTokenMs === 'number') {
          parts.push(`first token ${formatMs(event.timeToFirstTokenMs)}`);
        }
        if (event.model) {
          parts.push(event.model);
        }
        const trace = traceLink(event.traceUrl);
        update(() => {
          meta.textContent = parts.join(' · ');
          if (trace) {
            meta.append(parts.length ? ' · ' : '', trace);
          }
          meta.hidden = false;
          for (const warning of event.warnings || []) {
            article.append(element('p', 'warning', warning));
          }
          if (typeof event.traceId === 'string' && TRACE_ID.test(event.traceId)) {
            article.append(createFeedback(event.traceId));
          }
        });
      },
      fail(title, detail, statusCode) {
        flush();
        update(() => {
          const box = element('div', 'problem');
          box.setAttribute('role', 'alert');
          box.append(element('p', 'problem-title', statusCode ? `${title} (${statusCode})` : title));
          if (detail) {
            box.append(element('p', 'problem-detail', detail));
          }
          article.append(box);
        });
      },
      /** The user stopped the answer: what came so far stays, marked as stopped. */
      stop() {
        if (stopped) {
          return;
        }
        stopped = true;
        flush();
        update(() => {
          article.dataset.state = 'stopped';
          article.append(element('p', 'stopped-note', 'Stopped: the answer is incomplete.'));
        });
        this.finish();
      },
      finish() {
        flush();
        text.classList.remove('pending');
        for (const chip of tools.querySelectorAll('[data-state="pending"]')) {
          chip.dataset.state = 'error';
          chip.querySelector('.chip-result').textContent = stopped ? 'Stopped' : 'No result';
        }
        if (text.textContent === '') {
          text.hidden = true;
        }
      },
    };
  }

  /** The title and detail of a failed response: application/problem+json, or anything else. */
  async function problemOf(response) {
    let title = `HTTP ${response.status}`;
    let detail = response.statusText || '';
    const body = await response.text().catch(() => '');
    if (/json/i.test(response.headers.get('Content-Type') || '')) {
      try {
        const problem = JSON.parse(body);
        title = typeof problem.title === 'string' && problem.title ? problem.title : title;
        detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : detail;
      } catch {
        detail = body.slice(0, 500) || detail;
      }
    } else if (body) {
      detail = body.slice(0, 500);
    }
    return { title, detail };
  }

  // ----------------------------------------------------------------------------------------------- feedback

  const TRACE_ID = /^[0-9a-f]{32}$/i;

  /**
   * Good answer / Bad answer under an answer with a trace: POST /api/feedback annotates the trace in Phoenix. The
   * chosen button is pressed; a failure (Phoenix down: not saved) is shown and the buttons stay for a retry. After
   * a bad answer, an optional comment can be sent with it.
   */
  function createFeedback(traceId) {
    const box = element('div', 'feedback');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', 'Feedback on this answer');
    const good = voteButton('👍', 'Good', 'Good answer');
    const bad = voteButton('👎', 'Bad', 'Bad answer');
    const note = element('span', 'feedback-note');
    note.setAttribute('role', 'status');
    const problemSlot = element('div', 'feedback-problem-slot');
    const comment = element('div', 'feedback-comment');
    comment.hidden = true;
    const commentId = `comment-${traceId}`;
    const commentLabel = element('label', null, 'What was wrong? (optional)');
    commentLabel.htmlFor = commentId;
    const commentBox = element('textarea');
    commentBox.id = commentId;
    commentBox.rows = 2;
    commentBox.maxLength = 2000;
    const commentSend = element('button', 'secondary', 'Send comment');
    commentSend.type = 'button';
    comment.append(commentLabel, commentBox, commentSend);
    box.append(good, bad, note, problemSlot, comment);

    let sending = false;

    function setSending(on) {
      sending = on;
      for (const button of [good, bad, commentSend]) {
        button.setAttribute('aria-disabled', String(on));
      }
      box.setAttribute('aria-busy', String(on));
    }

    async function send(score, extra = {}) {
      if (sending) {
        return false;
      }
      setSending(true);
      problemSlot.replaceChildren();
      note.textContent = 'Sending…';
      const body = { traceId, score, label: score > 0 ? 'good' : 'bad', ...extra };
      let failure = null;
      try {
        const response = await apiFetch('api/feedback', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
          body: JSON.stringify(body),
        });
        if (!response.ok) {
          failure = { ...(await problemOf(response)), status: response.status };
        }
      } catch (error) {
        failure = { title: 'Cannot reach the service', detail: `${error.message || error}: the feedback was not saved` };
      } finally {
        setSending(false);
      }
      if (failure) {
        note.textContent = '';
        const alert = element('div', 'problem feedback-problem');
        alert.setAttribute('role', 'alert');
        alert.append(element('p', 'problem-title', failure.status ? `${failure.title} (${failure.status})`
            : failure.title));
        if (failure.detail) {
          alert.append(element('p', 'problem-detail', failure.detail));
        }
        problemSlot.append(alert);
        return false;
      }
      return true;
    }

    async function vote(button, score) {
      if (sending || button.getAttribute('aria-pressed') === 'true') {
        return;
      }
      if (await send(score)) {
        good.setAttribute('aria-pressed', String(score > 0));
        bad.setAttribute('aria-pressed', String(score < 0));
        box.dataset.score = String(score);
        note.textContent = score > 0 ? 'Thanks! Saved as a good answer.' : 'Thanks! Saved as a bad answer.';
        comment.hidden = score > 0;
      }
    }

    good.addEventListener('click', () => vote(good, 1));
    bad.addEventListener('click', () => vote(bad, -1));
    commentSend.addEventListener('click', async () => {
      const text = commentBox.value.trim();
      if (text === '' || sending) {
        commentBox.focus();
        return;
      }
      if (await send(-1, { comment: text })) {
        comment.hidden = true;
        note.textContent = 'Thanks! Your comment is saved.';
        bad.focus();
      }
    });
    return box;
  }

  /** A feedback button: its symbol (hidden from screen readers) and a short word, named by its full label. */
  function voteButton(symbol, word, label) {
    const button = element('button', 'vote');
    const icon = element('span', 'vote-icon', symbol);
    icon.setAttribute('aria-hidden', 'true');
    button.append(icon, element('span', 'vote-word', word));
    button.type = 'button';
    button.setAttribute('aria-label', label);
    button.title = label;
    button.setAttribute('aria-pressed', 'false');
    return button;
  }

  /** Shows a failure answered before the stream began. */
  async function showHttpFailure(reply, response) {
    const { title, detail } = await problemOf(response);
    reply.fail(title, detail, response.status);
  }

  /** A "View trace" link to the turn's trace in Phoenix (telemetry on), or null; only http(s) links are made. */
  function traceLink(url) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return null;
    }
    const link = element('a', 'trace-link', 'View trace');
    link.href = parsed.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    return link;
  }

  /** Handles one event; returns true for the last event of a turn (done or error). */
  function handleEvent(reply, name, data) {
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return false;
    }
    switch (name) {
      case 'token':
        reply.appendToken(payload.text ?? '');
        return false;
      case 'tool_call':
        reply.toolCall(payload.name, payload.arguments);
        return false;
      case 'tool_result':
        reply.toolResult(payload.name, payload.result, payload.error);
        return false;
      case 'done':
        conversationId = payload.conversationId || conversationId;
        reply.done(payload);
        refreshHistory();
        return true;
      case 'error':
        reply.fail(payload.title || 'Error', payload.detail, payload.status);
        return true;
      default:
        return false;
    }
  }

  /** While an answer streams, the Send button is its Stop button. */
  function setBusy(busy) {
    sendButton.textContent = busy ? 'Stop' : 'Send';
    sendButton.dataset.mode = busy ? 'stop' : 'send';
    log.setAttribute('aria-busy', String(busy));
  }

  /** Stops the answer being streamed: the fetch is aborted (the service then ends the turn), the page is free. */
  function stop() {
    if (!inFlight) {
      return;
    }
    const { controller, reply } = inFlight;
    inFlight = null;
    controller.abort();
    reply.stop();
    setBusy(false);
    setTimeout(refreshHistory, 500); // the service keeps what the stopped turn had said by then
  }

  async function send(message) {
    const controller = new AbortController();
    addUserMessage(message);
    const reply = createReply();
    inFlight = { controller, reply };
    setBusy(true);
    let ended = false;
    try {
      const body = { message };
      if (conversationId) {
        body.conversationId = conversationId;
      }
      const model = chosenModel();
      if (model) {
        body.model = model;
      }
      const response = await apiFetch('api/chat/stream', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const type = response.headers.get('Content-Type') || '';
      if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
        await showHttpFailure(reply, response);
        ended = true;
        refreshStatus();
        return;
      }
      const parser = createSseParser((name, data) => {
        if (!ended) {
          ended = handleEvent(reply, name, data);
        }
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        parser.push(value);
      }
      parser.end();
      if (!ended) {
        reply.fail('The reply ended early', 'The stream closed before the service said it was done.');
      }
    } catch (error) {
      if (error.name !== 'AbortError') {
        reply.fail('Cannot reach the service', error.message || String(error));
        refreshStatus();
      }
    } finally {
      reply.finish();
      if (inFlight && inFlight.controller === controller) {
        inFlight = null;
        setBusy(false);
      }
    }
  }

  function submit() {
    const message = input.value.trim();
    if (message === '' || inFlight) {
      return;
    }
    input.value = '';
    send(message);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (inFlight) {
      stop(); // the button says Stop; Enter in the message box never stops an answer
    } else {
      submit();
    }
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  newButton.addEventListener('click', () => {
    stop();
    const old = conversationId;
    conversationId = null;
    if (old && historyMissing) {
      // without a list to come back to it, the old conversation is forgotten
      apiFetch(`api/conversations/${encodeURIComponent(old)}`, { method: 'DELETE' }).catch(() => {});
    }
    log.replaceChildren(emptyNote);
    emptyNote.hidden = false;
    markCurrentConversation();
    input.focus();
  });

  // ------------------------------------------------------------------------------------------ conversation list

  function formatWhen(value) {
    const when = new Date(value);
    if (Number.isNaN(when.getTime())) {
      return '';
    }
    const today = new Date().toDateString() === when.toDateString();
    return today ? when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
        : when.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
  }

  function markCurrentConversation() {
    for (const button of historyList.querySelectorAll('button')) {
      if (button.dataset.id === conversationId) {
        button.setAttribute('aria-current', 'true');
      } else {
        button.removeAttribute('aria-current');
      }
    }
  }

  function showHistory(conversations) {
    const items = conversations.filter((c) => c && typeof c.id === 'string' && c.id !== '').map((c) => {
      const button = element('button', 'history-item');
      button.type = 'button';
      button.dataset.id = c.id;
      const title = typeof c.firstMessage === 'string' && c.firstMessage.trim() !== ''
          ? c.firstMessage : `Conversation ${c.id}`;
      const details = [];
      if (typeof c.messages === 'number') {
        details.push(c.messages === 1 ? '1 message' : `${c.messages} messages`);
      }
      const when = formatWhen(c.lastUsed);
      if (when) {
        details.push(when);
      }
      button.append(element('span', 'history-title', title), element('span', 'history-details', details.join(' · ')));
      button.addEventListener('click', () => openConversation(c.id));
      const li = element('li');
      li.append(button);
      return li;
    });
    historyList.replaceChildren(...items);
    historyNote.textContent = 'No conversations yet.';
    historyNote.hidden = items.length > 0;
    historyToggle.textContent = items.length > 0 ? `Conversations (${items.length})` : 'Conversations';
    markCurrentConversation();
  }

  document.addEventListener('click', (event) => {
    if (historyBox.open && !historyBox.contains(event.target)) {
      historyBox.open = false; // a click elsewhere closes the drawer
    }
  });

  historyBox.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && historyBox.open) {
      historyBox.open = false;
      historyToggle.focus();
    }
  });

  /** Loads this browser's conversations (those its API key may see) from GET /api/conversations. */
  async function refreshHistory() {
    if (historyMissing) {
      return;
    }
    let response;
    try {
      response = await apiFetch('api/conversations', { headers: { Accept: 'application/json' }, cache: 'no-store' },
          { ask: false });
    } catch {
      historyNote.textContent = 'The conversations cannot be loaded now.';
      historyNote.hidden = false;
      return;
    }
    if (response.status === 404 || response.status === 405) {
      historyMissing = true; // a service without the list
      historyBox.hidden = true;
      return;
    }
    if (response.status === 401) {
      historyBox.hidden = true; // until the user gives a key
      return;
    }
    const body = response.ok ? await response.json().catch(() => null) : null;
    historyBox.hidden = false;
    if (!Array.isArray(body?.conversations)) {
      historyNote.textContent = 'The conversations cannot be loaded now.';
      historyNote.hidden = false;
      return;
    }
    showHistory(body.conversations);
  }

  /** Shows a stored conversation (GET /api/conversations/{id}); the next message continues it. */
  async function openConversation(id) {
    stop();
    historyBox.open = false;
    let response;
    try {
      response = await apiFetch(`api/conversations/${encodeURIComponent(id)}`, {
        headers: { Accept: 'application/json' }, cache: 'no-store',
      });
    } catch (error) {
      showLoadFailure('Cannot reach the service', error.message || String(error));
      return;
    }
    if (!response.ok) {
      const problem = await problemOf(response);
      showLoadFailure(problem.title, problem.detail, response.status);
      refreshHistory();
      return;
    }
    const view = await response.json().catch(() => null);
    if (!Array.isArray(view?.messages)) {
      showLoadFailure('Cannot show this conversation', 'The service answered something else.');
      return;
    }
    conversationId = typeof view.conversationId === 'string' ? view.conversationId : id;
    log.replaceChildren(emptyNote);
    emptyNote.hidden = view.messages.length > 0;
    showMessages(view.messages);
    markCurrentConversation();
    log.scrollTop = log.scrollHeight;
    input.focus();
  }

  /** A failure to open a conversation, in the conversation's place. */
  function showLoadFailure(title, detail, statusCode) {
    conversationId = null;
    log.replaceChildren(emptyNote);
    emptyNote.hidden = true;
    const box = element('div', 'problem load-failure');
    box.setAttribute('role', 'alert');
    box.append(element('p', 'problem-title', statusCode ? `${title} (${statusCode})` : title));
    if (detail) {
      box.append(element('p', 'problem-detail', detail));
    }
    log.append(box);
    markCurrentConversation();
  }

  /** The messages of GET /api/conversations/{id}, each turn as the page showed it (without usage and feedback). */
  function showMessages(messages) {
    let reply = null;
    for (const message of messages) {
      if (!message || typeof message !== 'object') {
        continue;
      }
      const content = typeof message.content === 'string' ? message.content : '';
      if (message.role === 'user') {
        reply?.finish();
        reply = null;
        addUserMessage(content);
      } else if (message.role === 'assistant') {
        reply ??= createReply();
        for (const call of Array.isArray(message.toolCalls) ? message.toolCalls : []) {
          reply.toolCall(call?.name, parseArguments(call?.arguments));
        }
        if (content) {
          reply.appendText(content);
        }
      } else if (message.role === 'tool') {
        reply ??= createReply();
        reply.toolResult(message.toolName, content);
      }
    }
    reply?.finish();
  }

  function parseArguments(text) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  // ------------------------------------------------------------------------------------------- model picker

  /** The model picked for the next message, or null to let the service use its configured one. */
  function chosenModel() {
    return !modelPicker.hidden && modelSelect.value ? modelSelect.value : null;
  }

  function storedModel() {
    try {
      return localStorage.getItem(MODEL_STORAGE);
    } catch {
      return null; // storage off: the picker still works for this visit
    }
  }

  /** Fills the picker from GET /api/models; without an answer it stays hidden and the service's model is used. */
  async function loadModels() {
    let catalog;
    try {
      const response = await apiFetch('api/models', { headers: { Accept: 'application/json' }, cache: 'no-store' },
          { ask: false });
      catalog = response.ok ? await response.json() : null;
    } catch {
      catalog = null;
    }
    const names = Array.isArray(catalog?.models)
        ? catalog.models.map((model) => model?.name).filter((name) => typeof name === 'string' && name !== '')
        : [];
    if (names.length === 0) {
      modelPicker.hidden = true;
      return;
    }
    const configured = typeof catalog.configuredModel === 'string' ? catalog.configuredModel : null;
    const options = names.map((name) => {
      const option = new Option(name === configured ? `${name} (default)` : name, name);
      return option;
    });
    if (configured && !names.includes(configured)) {
      options.unshift(new Option(`${configured} (default, not installed)`, configured));
    }
    modelSelect.replaceChildren(...options);
    const stored = storedModel();
    const values = options.map((option) => option.value);
    modelSelect.value = stored && values.includes(stored) ? stored : (configured || values[0]);
    modelPicker.hidden = false;
  }

  modelSelect.addEventListener('change', () => {
    try {
      localStorage.setItem(MODEL_STORAGE, modelSelect.value);
    } catch {
      // storage off: kept for this visit only
    }
  });

  function describeHealth(health) {
    const checks = Array.isArray(health.checks) ? health.checks : [];
    const parts = [];
    const ollama = checks.find((c) => c.name === 'ollama');
    if (ollama) {
      const data = ollama.data || {};
      if (data.reachable === false) {
        parts.push(data.error || `Ollama unreachable at ${data.url || '?'}`);
      } else {
        parts.push('Ollama reachable');
        parts.push(data.modelPresent === false ? `model ${data.model} missing` : `model ${data.model} present`);
        if (data.hint) {
          parts.push(`run: ${data.hint}`);
        } else if (data.error) {
          parts.push(data.error);
        }
      }
    }
    const mcp = checks.find((c) => c.name === 'mcp');
    if (mcp) {
      const servers = Object.entries(mcp.data || {}).map(([name, state]) => {
        const [word, ...rest] = String(state).split(' ');
        return word === 'UP' ? `${name} up` : `${name} down${rest.length ? ` (${rest.join(' ')})` : ''}`;
      });
      parts.push(`MCP: ${servers.length ? servers.join(', ') : 'none'}`);
    }
    return parts.join(' · ') || `Service ${health.status || 'unknown'}`;
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    if (statusText.textContent !== text) {
      statusText.textContent = text; // only on change, so that screen readers are not told the same again
    }
  }

  async function refreshStatus() {
    try {
      const response = await fetch('q/health/ready', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      const health = await response.json();
      setStatus(health.status === 'UP' ? 'up' : 'down', describeHealth(health));
    } catch {
      setStatus('down', 'Service unreachable');
    }
  }

  refreshStatus();
  loadModels();
  refreshHistory();
  setInterval(() => {
    if (!document.hidden) {
      refreshStatus();
    }
  }, STATUS_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      refreshStatus();
    }
  });

  // For tests and the console: the parser alone.
  window.ollamaChat = Object.freeze({ createSseParser });
})();
