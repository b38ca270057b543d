  // ---- the safe markdown subset of messages, built as DOM nodes ----
  // Paragraphs and line breaks, bulleted and numbered lists (a line
  // indented under an item continues it), tables, **bold**, *italic*,
  // backslash escapes, and links to http(s) addresses or to the server's
  // own pages. Nothing else of a text becomes markup: every other
  // character reaches the page as text, never as HTML.
  //
  // Written once for the widget and the agent console: the server puts
  // this file into widget.js and console.js where they name it, so that a
  // fix to one is a fix to both. safeMarkdown takes how the page makes
  // what it shows:
  //   h(tag, cls)        an element, not yet in the page;
  //   url(u)             the address a link may go to, or null;
  //   link(href, parent) a link to href, made in parent;
  //   tableClass         the class of the box a table scrolls in;
  // and returns markdown(text, el), which renders text into el.
  const safeMarkdown = ({ h, url, link, tableClass }) => {
    const inline = (s, parent) => {
      let buf = '';
      const flush = () => { if (buf) parent.appendChild(document.createTextNode(buf)); buf = ''; };
      for (let i = 0; i < s.length;) {
        const c = s[i];
        if (c === '\\' && /[\\*_[\]()`]/.test(s[i + 1] || '')) { buf += s[i + 1]; i += 2; continue; }
        if (c === '*' && s[i + 1] === '*') {
          const j = s.indexOf('**', i + 2);
          if (j > i + 2) { flush(); inline(s.slice(i + 2, j), parent.appendChild(h('strong'))); i = j + 2; continue; }
        } else if (c === '*' && s[i + 1] && s[i + 1] !== ' ') {
          const j = s.indexOf('*', i + 1);
          if (j > i + 1 && s[j - 1] !== ' ') { flush(); inline(s.slice(i + 1, j), parent.appendChild(h('em'))); i = j + 1; continue; }
        } else if (c === '[') {
          const m = /^\[([^\]]+)\]\(([^()\s]+)\)/.exec(s.slice(i));
          if (m) {
            const href = /^(https?:|\/)/i.test(m[2]) && url(m[2]);
            if (href) { flush(); inline(m[1], link(href, parent)); } else buf += m[0];
            i += m[0].length;
            continue;
          }
        }
        buf += c;
        i++;
      }
      flush();
    };
    const cells = (line) => line.trim().replace(/^\||\|$/g, '').split('|').map((x) => x.trim());
    return (text, el) => {
      const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
      let para = null;
      let list = null;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        let m;
        if (!line.trim()) { para = list = null; continue; }
        if (/^\s*\|/.test(line) && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1] || '')) {
          // A table: header, separator, rows.
          para = list = null;
          const wrap = el.appendChild(h('div', tableClass));
          const table = wrap.appendChild(h('table'));
          const row = (l, tag) => {
            const tr = table.appendChild(h('tr'));
            cells(l).forEach((c) => inline(c, tr.appendChild(h(tag))));
          };
          row(line, 'th');
          for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i++) row(lines[i], 'td');
          i--;
          continue;
        }
        if ((m = /^\s*(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line))) {
          const tag = m[1] ? 'ul' : 'ol';
          if (!list || list.tagName.toLowerCase() !== tag) {
            list = el.appendChild(h(tag));
            if (m[2] && m[2] !== '1') list.start = +m[2];
          }
          para = null;
          inline(m[3], list.appendChild(h('li')));
          continue;
        }
        if (list && /^\s+\S/.test(line)) {
          const li = list.lastChild;
          li.appendChild(h('br'));
          inline(line.trim(), li);
          continue;
        }
        list = null;
        if (para) para.appendChild(h('br'));
        else para = el.appendChild(h('p'));
        inline(line.trim(), para);
      }
    };
  };
