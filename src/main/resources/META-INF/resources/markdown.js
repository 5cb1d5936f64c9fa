'use strict';

/*
 * A small Markdown renderer for the model's answers, written for this page: paragraphs and line breaks, headings,
 * bullet and numbered lists (nested by indentation), block quotes, rules, fenced code blocks, **bold**, *italic*,
 * ~~struck~~, `inline code`, and links to http(s) URLs only ([text](url), <url> and bare URLs).
 *
 * It builds DOM nodes with createElement and createTextNode: the model's text is never parsed as HTML, so any
 * markup in it (<img onerror=...>, <script>) shows as the text it is. Incomplete Markdown, as a streamed answer is
 * until its end, renders as far as it goes (an open code fence runs to the end; an unclosed ** stays text).
 */
(() => {
  const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$/;
  const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
  const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
  const BULLET = /^([ \t]*)([-*+])[ \t]+(.*)$/;
  const ORDERED = /^([ \t]*)(\d{1,9})([.)])[ \t]+(.*)$/;
  const QUOTE = /^ {0,3}>[ \t]?(.*)$/;
  const BLANK = /^[ \t]*$/;
  const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
  const WORD = /[\p{L}\p{N}]/u;
  const URL_START = /^https?:\/\/[^\s<>"'`]+/i;

  function el(tag, children) {
    const node = document.createElement(tag);
    if (children) {
      node.append(...children);
    }
    return node;
  }

  /** An http(s) URL as a string the browser resolved, or null for anything else (javascript:, data:, relative). */
  function safeUrl(text) {
    let url;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  }

  function link(href, children) {
    const a = el('a', children);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  function indentWidth(text) {
    let width = 0;
    for (const c of text) {
      width += c === '\t' ? 4 - (width % 4) : 1;
    }
    return width;
  }

  // ---------------------------------------------------------------------------------------------- inline

  /** Inline Markdown of one block as a list of nodes. */
  function inline(text, inLink = false) {
    const out = [];
    let plain = '';
    const flush = () => {
      if (plain) {
        out.push(document.createTextNode(plain));
        plain = '';
      }
    };
    const emit = (node) => {
      flush();
      out.push(node);
    };

    let i = 0;
    while (i < text.length) {
      const c = text[i];

      if (c === '\\' && i + 1 < text.length && PUNCTUATION.test(text[i + 1])) {
        plain += text[i + 1];
        i += 2;
        continue;
      }

      if (c === '\n') {
        emit(el('br'));
        i += 1;
        continue;
      }

      if (c === '`') {
        let run = 1;
        while (text[i + run] === '`') {
          run += 1;
        }
        const fence = '`'.repeat(run);
        let close = text.indexOf(fence, i + run);
        while (close >= 0 && text[close + run] === '`') {
          close = text.indexOf(fence, close + run + 1);
        }
        if (close < 0) {
          plain += fence;
          i += run;
          continue;
        }
        let code = text.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') {
          code = code.slice(1, -1);
        }
        const node = el('code');
        node.textContent = code;
        emit(node);
        i = close + run;
        continue;
      }

      if (c === '[' && !inLink) {
        const parsed = linkAt(text, i);
        if (parsed) {
          const href = safeUrl(parsed.url);
          if (href) {
            emit(link(href, inline(parsed.label, true)));
          } else {
            plain += text.slice(i, parsed.end); // not an http(s) link: shown as written
          }
          i = parsed.end;
          continue;
        }
      }

      if (c === '<' && !inLink) {
        const close = text.indexOf('>', i + 1);
        const inside = close > 0 ? text.slice(i + 1, close) : '';
        if (/^https?:\/\/[^\s<>]+$/i.test(inside) && safeUrl(inside)) {
          emit(link(safeUrl(inside), [document.createTextNode(inside)]));
          i = close + 1;
          continue;
        }
      }

      if ((c === 'h' || c === 'H') && !inLink && (i === 0 || !WORD.test(text[i - 1]))) {
        const match = URL_START.exec(text.slice(i));
        if (match) {
          let url = match[0];
          // trailing punctuation ends the sentence, not the URL; a ")" only closes a "(" of the URL
          for (;;) {
            const last = url[url.length - 1];
            if (/[.,;:!?*_~]/.test(last)) {
              url = url.slice(0, -1);
            } else if (last === ')' && url.split(')').length > url.split('(').length) {
              url = url.slice(0, -1);
            } else {
              break;
            }
          }
          const href = safeUrl(url);
          if (href && url.length > 'https://'.length) {
            emit(link(href, [document.createTextNode(url)]));
            i += url.length;
            continue;
          }
        }
      }

      if (c === '*' || c === '_' || c === '~') {
        const parsed = emphasisAt(text, i);
        if (parsed) {
          emit(el(parsed.tag, inline(parsed.content, inLink)));
          i = parsed.end;
          continue;
        }
        let run = 1;
        while (text[i + run] === c) {
          run += 1;
        }
        plain += c.repeat(run);
        i += run;
        continue;
      }

      plain += c;
      i += 1;
    }
    flush();
    return out;
  }

  /** [label](url) at i: {label, url, end}, or null. */
  function linkAt(text, i) {
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      if (text[j] === '\\') {
        j += 1;
      } else if (text[j] === '[') {
        depth += 1;
      } else if (text[j] === ']') {
        depth -= 1;
        if (depth === 0) {
          break;
        }
      }
    }
    if (j >= text.length || text[j + 1] !== '(') {
      return null;
    }
    const match = /^\(\s*<?([^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/.exec(text.slice(j + 1));
    if (!match) {
      return null;
    }
    return { label: text.slice(i + 1, j), url: match[1], end: j + 1 + match[0].length };
  }

  /** **strong**, __strong__, *em*, _em_ or ~~del~~ opening at i: {tag, content, end}, or null. */
  function emphasisAt(text, i) {
    const c = text[i];
    let run = 1;
    while (text[i + run] === c) {
      run += 1;
    }
    if (c === '~' && run !== 2) {
      return null;
    }
    const size = c === '~' ? 2 : Math.min(run, 2);
    const after = text[i + size];
    if (after === undefined || /\s/.test(after)) {
      return null; // "* item" or "a * b" is not emphasis
    }
    if (c === '_' && i > 0 && WORD.test(text[i - 1])) {
      return null; // snake_case
    }
    const delimiter = c.repeat(size);
    let j = i + size;
    while (j < text.length) {
      if (text[j] === '\\') {
        j += 2;
        continue;
      }
      if (text[j] === '`') {
        // a code span inside is skipped as a whole
        let tick = 1;
        while (text[j + tick] === '`') {
          tick += 1;
        }
        const close = text.indexOf('`'.repeat(tick), j + tick);
        j = close < 0 ? j + tick : close + tick;
        continue;
      }
      if (text[j] === c) {
        let closeRun = 1;
        while (text[j + closeRun] === c) {
          closeRun += 1;
        }
        const before = text[j - 1];
        const closes = j > i + size && !/\s/.test(before)
            && (c !== '_' || j + closeRun >= text.length || !WORD.test(text[j + closeRun]));
        if (closes && (closeRun === size || (size === 1 && closeRun === 3) || (size === 2 && closeRun >= 2))) {
          const tag = c === '~' ? 'del' : size === 2 ? 'strong' : 'em';
          return { tag, content: text.slice(i + size, j), end: j + size };
        }
        j += closeRun;
        continue;
      }
      j += 1;
    }
    return null;
  }

  // ----------------------------------------------------------------------------------------------- blocks

  function isListItem(line) {
    return BULLET.test(line) || ORDERED.test(line);
  }

  function startsBlock(line) {
    return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || isListItem(line);
  }

  /** Block Markdown of these lines, appended to parent. */
  function blocks(lines, parent) {
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];

      if (BLANK.test(line)) {
        i += 1;
        continue;
      }

      const fence = FENCE.exec(line);
      if (fence) {
        const marker = fence[1];
        const code = [];
        i += 1;
        while (i < lines.length) {
          const closing = lines[i].trim();
          if (closing.length >= marker.length && closing === marker[0].repeat(closing.length)) {
            i += 1;
            break;
          }
          code.push(lines[i]);
          i += 1;
        }
        const codeNode = el('code');
        codeNode.textContent = code.join('\n');
        if (fence[2]) {
          codeNode.dataset.language = fence[2];
        }
        parent.append(el('pre', [codeNode]));
        continue;
      }

      const heading = HEADING.exec(line);
      if (heading) {
        // the page's own title is the h1, and each answer sits under it: a "#" of the model is an h3
        const level = Math.min(heading[1].length + 2, 6);
        parent.append(el(`h${level}`, inline(heading[2] || '')));
        i += 1;
        continue;
      }

      if (RULE.test(line)) {
        parent.append(el('hr'));
        i += 1;
        continue;
      }

      if (QUOTE.test(line)) {
        const quoted = [];
        while (i < lines.length && QUOTE.test(lines[i])) {
          quoted.push(QUOTE.exec(lines[i])[1]);
          i += 1;
        }
        const quote = el('blockquote');
        blocks(quoted, quote);
        parent.append(quote);
        continue;
      }

      if (isListItem(line)) {
        i = list(lines, i, parent);
        continue;
      }

      const paragraph = [line.trim()];
      i += 1;
      while (i < lines.length && !BLANK.test(lines[i]) && !startsBlock(lines[i])) {
        paragraph.push(lines[i].trim());
        i += 1;
      }
      parent.append(el('p', inline(paragraph.join('\n'))));
    }
  }

  function listItem(line) {
    const bullet = BULLET.exec(line);
    if (bullet) {
      return { indent: indentWidth(bullet[1]), ordered: false, text: bullet[3],
        contentIndent: indentWidth(bullet[1]) + 2 };
    }
    const ordered = ORDERED.exec(line);
    return { indent: indentWidth(ordered[1]), ordered: true, start: Number(ordered[2]), text: ordered[4],
      contentIndent: indentWidth(ordered[1]) + ordered[2].length + 2 };
  }

  /**
   * A list starting at lines[start]; its items, their continuation lines and deeper lists. Returns the index of the
   * first line after it.
   */
  function list(lines, start, parent) {
    const first = listItem(lines[start]);
    const node = el(first.ordered ? 'ol' : 'ul');
    if (first.ordered && first.start !== 1) {
      node.start = first.start;
    }
    parent.append(node);

    let i = start;
    while (i < lines.length) {
      const line = lines[i];
      if (!isListItem(line)) {
        break;
      }
      const item = listItem(line);
      if (item.indent < first.indent || item.ordered !== first.ordered) {
        break;
      }
      if (item.indent > first.indent) {
        break; // deeper: only reached through an item below
      }
      // the item's own lines: its text, lazy continuation lines, and anything indented deeper than its marker
      const body = [item.text];
      i += 1;
      let sawBlank = false;
      while (i < lines.length) {
        const next = lines[i];
        if (BLANK.test(next)) {
          sawBlank = true;
          body.push('');
          i += 1;
          continue;
        }
        const nextIndent = indentWidth(/^[ \t]*/.exec(next)[0]);
        if (nextIndent > first.indent && (isListItem(next) || nextIndent >= item.contentIndent || !sawBlank)) {
          body.push(nextIndent >= item.contentIndent ? dedent(next, item.contentIndent) : next.trim());
          sawBlank = false;
          i += 1;
          continue;
        }
        if (!sawBlank && !startsBlock(next) && nextIndent <= first.indent) {
          body.push(next.trim()); // lazy continuation of the item's paragraph
          i += 1;
          continue;
        }
        break;
      }
      while (body.length > 0 && body[body.length - 1] === '') {
        body.pop();
      }
      const li = el('li');
      if (body.every((text) => !startsBlock(text) || text === body[0]) && !body.includes('')) {
        li.append(...inline(body.map((text) => text.trim()).join('\n'))); // a tight item: no <p>
      } else {
        const [head, ...rest] = splitHead(body);
        li.append(...inline(head.join('\n')));
        blocks(rest, li);
      }
      node.append(li);
      // a blank line between items keeps the list going
      let peek = i;
      while (peek < lines.length && BLANK.test(lines[peek])) {
        peek += 1;
      }
      if (peek > i && peek < lines.length && isListItem(lines[peek])) {
        const nextItem = listItem(lines[peek]);
        if (nextItem.indent === first.indent && nextItem.ordered === first.ordered) {
          i = peek;
        }
      }
    }
    return i;
  }

  /** The item's first paragraph (shown inline) and the rest (rendered as blocks). */
  function splitHead(body) {
    let end = 1;
    while (end < body.length && body[end] !== '' && !startsBlock(body[end])) {
      end += 1;
    }
    return [body.slice(0, end).map((text) => text.trim()), ...body.slice(end)];
  }

  function dedent(line, width) {
    let removed = 0;
    let k = 0;
    while (k < line.length && removed < width && (line[k] === ' ' || line[k] === '\t')) {
      removed += line[k] === '\t' ? 4 - (removed % 4) : 1;
      k += 1;
    }
    return line.slice(k);
  }

  /** The Markdown text as a DocumentFragment of safe nodes. */
  function render(markdown) {
    const fragment = document.createDocumentFragment();
    const text = String(markdown ?? '').replace(/\r\n?/g, '\n');
    blocks(text.split('\n'), fragment);
    return fragment;
  }

  window.ollamaMarkdown = Object.freeze({ render, safeUrl });
})();
