/*! supportd chat widget — speaks protocol v1 (docs/protocol.md). No dependencies. */
(() => {
  'use strict';
  if (window.supportd) return;

  // ---- configuration, from the widget's own <script> tag ----
  const script = document.currentScript ||
    [...document.scripts].reverse().find((s) => /widget\.js([?#].*)?$/.test(s.src));
  const ds = (script && script.dataset) || {};
  const scriptDir = (script && script.src ? script.src : location.href).replace(/[?#].*$/, '').replace(/[^/]*$/, '');
  const base = new URL(ds.server || scriptDir, location.href).href.replace(/\/+$/, '');
  const wsURL = base.replace(/^http/, 'ws') + '/ws';
  const KEY = 'supportd:' + base;
  const Z = (l) => (l === 'en' ? 'en' : 'fr');
  let locale = Z(ds.locale);
  let customerToken = ds.customerToken || '';

  // ---- texts ----
  const T = {
    fr: {
      title: 'Assistance',
      launcher: "Discuter avec l'assistance",
      close: 'Fermer',
      messages: 'Messages',
      placeholder: 'Écrivez votre message…',
      input: 'Votre message',
      send: 'Envoyer',
      you: 'Vous',
      bot: 'Assistant',
      agent: 'Conseiller',
      typing_bot: "L'assistant écrit…",
      typing_agent: 'Un conseiller écrit…',
      lost: 'Connexion perdue. Reconnexion…',
      back: 'Reconnecté.',
      sending: 'Envoi…',
      failed: 'Non envoyé',
      helpful: 'Cette réponse vous a-t-elle aidé\u00a0?',
      thanks: 'Merci pour votre retour\u00a0!',
      articles: 'À lire\u00a0:',
      more: 'Lire la suite',
      sources: 'Réponse rédigée à partir de\u00a0:',
      frequent: 'Questions fréquentes',
      s_label: 'Votre note, de 1 à 5',
      s_star: (n) => n + ' sur 5',
      s_comment: 'Un commentaire ? (facultatif)',
      s_send: 'Envoyer mon avis',
      s_sent: 'Avis envoyé, merci.',
      topics: 'Sujets',
      intro: 'Bonjour\u00a0! Posez-nous votre question\u00a0: commande, livraison, paiement, retour…',
      unread: (n) => n + (n > 1 ? ' nouveaux messages' : ' nouveau message'),
      queued: (p, w) => (p ? 'Vous êtes n°\u00a0' + p + " dans la file d'attente." : "Vous êtes dans la file d'attente.") +
        (w ? ' Attente estimée\u00a0: ' + (w < 60 ? "moins d'une minute." : 'environ ' + Math.round(w / 60) + '\u00a0min.') : ''),
      orders: 'Aide sur une commande',
      f_email: 'Votre adresse email',
      f_message: 'Votre message',
      f_send: 'Envoyer la demande',
      f_sent: 'Demande envoyée.',
    },
    en: {
      title: 'Support',
      launcher: 'Chat with support',
      close: 'Close',
      messages: 'Messages',
      placeholder: 'Type your message…',
      input: 'Your message',
      send: 'Send',
      you: 'You',
      bot: 'Assistant',
      agent: 'Agent',
      typing_bot: 'The assistant is typing…',
      typing_agent: 'An agent is typing…',
      lost: 'Connection lost. Reconnecting…',
      back: 'Reconnected.',
      sending: 'Sending…',
      failed: 'Not sent',
      helpful: 'Did this answer your question?',
      thanks: 'Thanks for your feedback!',
      articles: 'Read more:',
      more: 'Read on',
      sources: 'Answer written from:',
      frequent: 'Frequent questions',
      s_label: 'Your rating, from 1 to 5',
      s_star: (n) => n + ' out of 5',
      s_comment: 'A comment? (optional)',
      s_send: 'Send my rating',
      s_sent: 'Rating sent, thank you.',
      topics: 'Topics',
      intro: 'Hello! Ask us anything about orders, delivery, payment or returns.',
      unread: (n) => n + (n > 1 ? ' new messages' : ' new message'),
      queued: (p, w) => (p ? 'You are number ' + p + ' in the queue.' : 'You are in the queue.') +
        (w ? ' Estimated wait: ' + (w < 60 ? 'under a minute.' : 'about ' + Math.round(w / 60) + ' min.') : ''),
      orders: 'Help with an order',
      f_email: 'Your email address',
      f_message: 'Your message',
      f_send: 'Send the request',
      f_sent: 'Request sent.',
    },
  };
  const t = (k) => T[locale][k];

  // ---- persistent state: localStorage["supportd:<server>"] ----
  // {conversation, token, last_seq, read, outbox: [{client_id, text} | {client_id, action, seq} |
  //  {client_id, intake, email, text, seq}], voted: [seq], sent: [seq of a message whose form was sent]}
  let S = {};
  try { S = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { S = {}; }
  if (!Array.isArray(S.outbox)) S.outbox = [];
  if (!Array.isArray(S.voted)) S.voted = [];
  if (!Array.isArray(S.sent)) S.sent = [];
  S.read = +S.read || 0;
  const save = () => {
    try { localStorage.setItem(KEY, JSON.stringify(S)); } catch (e) { /* storage unavailable: memory only */ }
  };

  // ---- DOM helpers (message content only ever goes through textContent) ----
  const h = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const svg = (d) => {
    const n = 'http://www.w3.org/2000/svg';
    const s = document.createElementNS(n, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    const p = document.createElementNS(n, 'path');
    p.setAttribute('d', d);
    s.appendChild(p);
    return s;
  };
  const ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
  const ICON_X = 'M6 6l12 12M18 6L6 18';
  const ICON_SEND = 'M3 20l18-8L3 4v6l12 2-12 2z';
  const rid = (p) => {
    const b = new Uint8Array(8);
    crypto.getRandomValues(b);
    return p + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };
  const resolve = (u) => {
    try {
      const r = new URL(u, base + '/');
      return /^https?:$/.test(r.protocol) ? r.href : null;
    } catch (e) { return null; }
  };
  const link = (href, parent) => {
    const a = h('a', 'sd-link');
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    parent.appendChild(a);
    return a;
  };

  /* supportd:markdown */
  const markdown = safeMarkdown({ h, url: resolve, link, tableClass: 'sd-table' });

  // ---- the widget's DOM ----
  const root = h('div', 'sd-root' + (ds.position === 'left' ? ' sd-left' : ''));
  root.hidden = true; // shown once widget.css has loaded
  if (ds.color && window.CSS && CSS.supports('color', ds.color)) root.style.setProperty('--sd-c', ds.color);
  const launcher = h('button', 'sd-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'sd-panel');
  launcher.append(svg(ICON_CHAT), svg(ICON_X));
  const badge = launcher.appendChild(h('span', 'sd-badge'));
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');

  const panel = h('div', 'sd-panel');
  panel.id = 'sd-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  const head = panel.appendChild(h('div', 'sd-head'));
  const title = head.appendChild(h('div', 'sd-title'));
  const closeBtn = head.appendChild(h('button', 'sd-close'));
  closeBtn.type = 'button';
  closeBtn.appendChild(svg(ICON_X));
  const status = panel.appendChild(h('div', 'sd-status'));
  status.setAttribute('role', 'status');
  const scroller = panel.appendChild(h('div', 'sd-scroll'));
  const log = scroller.appendChild(h('div', 'sd-log'));
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  const intro = log.appendChild(h('div', 'sd-msg sd-bot sd-intro'));
  intro.dataset.seq = 0;
  // Shown to a customer the shop logged in: pick one of their orders.
  const orderStart = log.appendChild(h('div', 'sd-actions sd-start'));
  orderStart.dataset.seq = 0;
  orderStart.hidden = true;
  const typingEl = scroller.appendChild(h('div', 'sd-typing'));
  typingEl.hidden = true;
  const dots = typingEl.appendChild(h('span', 'sd-dots'));
  dots.setAttribute('aria-hidden', 'true');
  dots.append(h('i'), h('i'), h('i'));
  const typingText = typingEl.appendChild(h('span', 'sd-sr'));
  const form = panel.appendChild(h('form', 'sd-form'));
  const input = form.appendChild(h('textarea', 'sd-input'));
  input.rows = 1;
  input.maxLength = 4000;
  const sendBtn = form.appendChild(h('button', 'sd-send'));
  sendBtn.type = 'submit';
  sendBtn.appendChild(svg(ICON_SEND));
  root.append(panel, launcher);

  let typingAuthor = 'bot';
  const applyTexts = () => {
    root.lang = locale;
    panel.setAttribute('aria-label', t('title'));
    title.textContent = t('title');
    closeBtn.setAttribute('aria-label', t('close'));
    closeBtn.title = t('close');
    log.setAttribute('aria-label', t('messages'));
    intro.textContent = t('intro');
    orderStart.replaceChildren(button({ id: 'orders', label: t('orders') }, 0));
    input.placeholder = t('placeholder');
    input.setAttribute('aria-label', t('input'));
    sendBtn.setAttribute('aria-label', t('send'));
    sendBtn.title = t('send');
    typingText.textContent = t('typing_' + typingAuthor);
    renderBadge();
  };

  // ---- panel, unread badge ----
  let isOpen = false;
  let unread = 0;
  function renderBadge() {
    badge.textContent = unread > 9 ? '9+' : String(unread);
    badge.hidden = !unread;
    launcher.setAttribute('aria-label', t('launcher') + (unread ? ' (' + t('unread')(unread) + ')' : ''));
  }
  const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
  const open = () => {
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      root.classList.add('sd-open');
      launcher.setAttribute('aria-expanded', 'true');
      unread = 0;
      renderBadge();
      if (lastSeq > S.read) { S.read = lastSeq; save(); }
      toBottom();
    }
    wanted = true;
    connect();
    input.focus();
  };
  const close = () => {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    root.classList.remove('sd-open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  };
  launcher.addEventListener('click', () => (isOpen ? close() : open()));
  closeBtn.addEventListener('click', close);
  // The panel is a dialog: Tab and Shift+Tab go round its own controls
  // (the messages' buttons included) rather than out of it; Escape closes
  // it and gives the focus back to the launcher.
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen) { e.preventDefault(); close(); return; }
    if (e.key !== 'Tab' || !isOpen || !panel.contains(document.activeElement)) return;
    const items = [...panel.querySelectorAll('button, a[href], textarea, input, select')]
      .filter((el) => !el.disabled && el.offsetParent !== null && el.tabIndex >= 0);
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    else if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
  });

  let statusTimer = 0;
  const setStatus = (text, ms, err) => {
    clearTimeout(statusTimer);
    status.textContent = text || '';
    status.classList.toggle('sd-err', !!err);
    status.classList.toggle('sd-on', !!text);
    if (text && ms) statusTimer = setTimeout(() => setStatus(''), ms);
  };

  // ---- the conversation log ----
  let lastSeq = 0; // highest seq shown in this page
  const shown = new Set();
  const pending = new Map(); // client_id -> bubble of an unacknowledged customer message
  // An answer being written is shown as its draft frames come; the stored
  // message that names the draft replaces it. Drafts are never kept: a
  // widget that reconnects gets the complete answer only.
  const drafts = new Map(); // draft id -> { el, md, text }
  const dropDrafts = () => { drafts.forEach((d) => d.el.remove()); drafts.clear(); };

  // place inserts el in seq order; an element without data-seq (a message
  // still waiting for its ack) stays at the end.
  const place = (el, seq) => {
    const stick = atBottom();
    let ref = null;
    if (seq != null) {
      el.dataset.seq = seq;
      for (let n = log.lastElementChild; n; n = n.previousElementSibling) {
        if (n.dataset.seq !== undefined && +n.dataset.seq <= seq) break;
        ref = n;
      }
    }
    log.insertBefore(el, ref);
    if (stick || seq == null) toBottom();
  };
  const line = (text, cls) => {
    if (!text) return null;
    const el = h('div', 'sd-line' + (cls ? ' ' + cls : ''), text);
    place(el, lastSeq + 0.5);
    return el;
  };
  const sr = (text) => h('span', 'sd-sr', text + (locale === 'fr' ? '\u00a0: ' : ': '));
  const timeOf = (el, at) => {
    const d = at && new Date(at);
    if (d && !isNaN(d)) el.title = d.toLocaleString(locale === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'short', timeStyle: 'short' });
  };

  const customerBubble = (text) => {
    const el = h('div', 'sd-msg sd-customer');
    el.append(sr(t('you')), h('span', 'sd-text', text));
    return el;
  };
  const markPending = (el, on) => {
    el.classList.toggle('sd-pending', on);
    const note = el.querySelector('.sd-note');
    if (note) note.remove();
    if (on) el.appendChild(h('span', 'sd-note', t('sending')));
  };

  const renderMessage = (f) => {
    const author = f.author;
    const wrap = h('div', 'sd-msg sd-' + (/^(customer|bot|agent|system)$/.test(author) ? author : 'system'));
    if (author === 'customer') {
      wrap.append(sr(t('you')), h('span', 'sd-text', f.text));
    } else if (author === 'agent') {
      wrap.append(h('div', 'sd-who', f.agent || t('agent')), h('span', 'sd-text', f.text));
    } else {
      if (author === 'bot') wrap.appendChild(sr(t('bot')));
      const md = wrap.appendChild(h('div', 'sd-md'));
      markdown(f.text || '', md);
      if (author === 'bot' && f.route === 'faq') foldLong(md);
    }
    timeOf(wrap, f.created_at);
    if (author === 'bot') extras(wrap, f);
    return wrap;
  };

  // foldLong shows a long answer's first part, with « Lire la suite » to
  // show the rest where it is.
  const FOLD_AFTER = 450;
  const foldLong = (md) => {
    const blocks = [...md.children];
    let length = 0, cut = -1;
    blocks.forEach((b, i) => {
      length += b.textContent.length;
      if (cut < 0 && i >= 1 && length > FOLD_AFTER && i < blocks.length - 1) cut = i + 1;
    });
    if (cut < 0) return;
    const rest = blocks.slice(cut);
    rest.forEach((b) => { b.hidden = true; });
    const more = md.appendChild(h('button', 'sd-chip sd-more', t('more')));
    more.type = 'button';
    more.addEventListener('click', () => {
      rest.forEach((b) => { b.hidden = false; });
      more.remove();
      if (rest[0]) { rest[0].tabIndex = -1; rest[0].focus(); }
    });
  };

  // extras adds a bot message's articles (links) and actions (buttons).
  const extras = (wrap, f) => {
    const acts = Array.isArray(f.actions) ? f.actions.filter((a) => a && typeof a.id === 'string') : [];
    const viaButton = new Set(acts.map((a) => a.id.startsWith('article:') && a.id.slice(8)));
    // « À lire » lists the other articles: never the one just given, nor
    // one already offered as a button.
    // A written answer lists all its sources.
    const given = f.route === 'faq' && !f.generated && Array.isArray(f.articles) && f.articles[0] ? f.articles[0].id : null;
    const arts = (Array.isArray(f.articles) ? f.articles : []).filter((a) => a && a.url && a.id !== given && !viaButton.has(a.id) && resolve(a.url));
    if (arts.length) {
      const box = wrap.appendChild(h('div', 'sd-articles'));
      box.appendChild(h('span', 'sd-label', t(f.generated ? 'sources' : 'articles')));
      const ul = box.appendChild(h('ul'));
      arts.forEach((a) => { link(resolve(a.url), ul.appendChild(h('li'))).textContent = a.title || a.url; });
    }
    const votes = acts.filter((a) => a.id === 'helpful:yes' || a.id === 'helpful:no');
    if (votes.length) {
      const box = wrap.appendChild(h('div', 'sd-vote'));
      if (S.voted.includes(f.seq)) box.appendChild(h('span', 'sd-thanks', t('thanks')));
      else {
        box.appendChild(h('span', 'sd-label', t('helpful')));
        votes.forEach((a) => box.appendChild(button(a, f.seq, () => {
          S.voted.push(f.seq);
          if (S.voted.length > 50) S.voted.shift();
          box.replaceChildren(h('span', 'sd-thanks', t('thanks')));
          input.focus();
        })));
      }
    }
    if (f.form && typeof f.form === 'object') wrap.appendChild(intakeForm(f));
    if (f.survey === true) wrap.appendChild(S.sent.includes(f.seq) ? h('div', 'sd-survey', t('s_sent')) : surveyForm(f));
    const rest = acts.filter((a) => !votes.includes(a));
    if (rest.length) {
      const box = wrap.appendChild(h('div', 'sd-actions'));
      rest.forEach((a) => box.appendChild(button(a, f.seq)));
    }
  };
  // surveyForm asks the customer to rate the conversation an agent closed,
  // from 1 to 5, with a comment if they wish.
  const surveyForm = (f) => {
    const box = h('form', 'sd-survey');
    box.setAttribute('aria-label', t('s_label'));
    let rating = 0;
    const stars = box.appendChild(h('div', 'sd-stars'));
    stars.setAttribute('role', 'group');
    stars.setAttribute('aria-label', t('s_label'));
    const picks = [1, 2, 3, 4, 5].map((n) => {
      const b = stars.appendChild(h('button', 'sd-chip sd-star', String(n)));
      b.type = 'button';
      b.setAttribute('aria-label', t('s_star')(n));
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        rating = n;
        picks.forEach((p, i) => p.setAttribute('aria-pressed', String(i + 1 === n)));
      });
      return b;
    });
    const comment = box.appendChild(h('textarea', 'sd-comment'));
    comment.rows = 2;
    comment.maxLength = 1000;
    comment.placeholder = t('s_comment');
    comment.setAttribute('aria-label', t('s_comment'));
    const submit = box.appendChild(h('button', 'sd-chip', t('s_send')));
    submit.type = 'submit';
    box.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!rating) { picks[0].focus(); return; }
      submit.disabled = true;
      queue({ client_id: rid('s_'), survey: 1, seq: f.seq, rating, comment: comment.value.trim() });
    });
    return box;
  };

  // intakeForm asks for the email address and message of a request sent
  // by email when nobody can answer in the chat.
  const intakeForm = (f) => {
    const box = h('form', 'sd-intake');
    if (S.sent && S.sent.includes(f.seq)) { box.appendChild(h('span', 'sd-thanks', t('f_sent'))); return box; }
    const field = (label, el) => {
      const l = box.appendChild(h('label', 'sd-field'));
      l.append(h('span', 'sd-label', label), el);
      return el;
    };
    const email = field(t('f_email'), h('input', 'sd-in'));
    email.type = 'email';
    email.required = true;
    email.autocomplete = 'email';
    email.maxLength = 254;
    email.value = typeof f.form.email === 'string' ? f.form.email : '';
    const msg = field(t('f_message'), h('textarea', 'sd-in'));
    msg.required = true;
    msg.maxLength = 4000;
    msg.rows = 3;
    msg.value = typeof f.form.message === 'string' ? f.form.message : '';
    const go = box.appendChild(h('button', 'sd-chip sd-handoff', t('f_send')));
    go.type = 'submit';
    box.addEventListener('submit', (e) => {
      e.preventDefault();
      if (go.getAttribute('aria-disabled') === 'true' || !box.reportValidity()) return;
      go.setAttribute('aria-disabled', 'true');
      setTimeout(() => go.removeAttribute('aria-disabled'), 3000);
      queue({ client_id: rid('i_'), intake: 1, email: email.value.trim(), text: msg.value.trim(), seq: f.seq });
    });
    return box;
  };
  const button = (a, seq, after) => {
    const b = h('button', 'sd-chip' + (a.id === 'handoff' ? ' sd-handoff' : ''), a.label || a.id);
    b.type = 'button';
    b.addEventListener('click', () => {
      if (b.getAttribute('aria-disabled') === 'true') return;
      b.setAttribute('aria-disabled', 'true');
      setTimeout(() => b.removeAttribute('aria-disabled'), 3000);
      if (after) after();
      queue({ client_id: rid('a_'), action: a.id, seq });
    });
    return b;
  };

  // ---- start screen: greeting, today's hours, frequent questions, topics ----
  // A topic opens its questions in place; a question is asked by its
  // article's button, as a suggestion is.
  const startBox = h('div', 'sd-home');
  startBox.dataset.seq = 0;
  intro.after(startBox);
  const renderStart = (st) => {
    if (typeof st.greeting === 'string' && st.greeting) intro.textContent = st.greeting;
    startBox.replaceChildren();
    if (typeof st.hours === 'string' && st.hours) startBox.appendChild(h('p', 'sd-hours', st.hours));
    const articleButton = (a) => button({ id: 'article:' + a.id, label: a.title }, 0);
    const valid = (a) => a && typeof a.id === 'string' && typeof a.title === 'string';
    const frequent = (Array.isArray(st.frequent) ? st.frequent : []).filter(valid);
    if (frequent.length) {
      startBox.appendChild(h('p', 'sd-label', t('frequent')));
      const box = startBox.appendChild(h('div', 'sd-actions'));
      frequent.forEach((a) => box.appendChild(articleButton(a)));
    }
    const topics = (Array.isArray(st.topics) ? st.topics : []).filter((x) => x && typeof x.name === 'string' && Array.isArray(x.articles));
    if (!topics.length) return;
    startBox.appendChild(h('p', 'sd-label', t('topics')));
    const box = startBox.appendChild(h('div', 'sd-actions sd-topics'));
    const list = startBox.appendChild(h('div', 'sd-actions sd-topic-list'));
    list.hidden = true;
    topics.forEach((x) => {
      const b = box.appendChild(h('button', 'sd-chip', x.name));
      b.type = 'button';
      b.setAttribute('aria-expanded', 'false');
      b.addEventListener('click', () => {
        const open = b.getAttribute('aria-expanded') !== 'true';
        box.querySelectorAll('button').forEach((o) => o.setAttribute('aria-expanded', 'false'));
        b.setAttribute('aria-expanded', String(open));
        list.replaceChildren();
        list.hidden = !open;
        if (open) {
          x.articles.filter(valid).forEach((a) => list.appendChild(articleButton(a)));
          const first = list.querySelector('button');
          if (first) first.focus();
        }
      });
    });
  };

  // ---- typing indicator (bot/agent) ----
  let typingTimer = 0;
  const showTyping = (author, on) => {
    clearTimeout(typingTimer);
    typingEl.hidden = !on;
    if (on) {
      typingAuthor = author === 'agent' ? 'agent' : 'bot';
      typingText.textContent = t('typing_' + typingAuthor);
      if (atBottom()) toBottom();
      typingTimer = setTimeout(() => { typingEl.hidden = true; }, 30000);
    }
  };

  // ---- connection ----
  let ws = null;
  let ready = false; // welcome received on ws
  let wanted = false; // connect once the panel was opened, or a conversation exists
  let dead = false; // unsupported protocol version: stop
  let attempt = 0;
  let lost = false;
  let retryTimer = 0;
  let flushTimer = 0;
  const sentOn = new Map(); // client_id -> time sent on the current socket

  const send = (o) => {
    if (!ws || ws.readyState !== 1) return false;
    try { ws.send(JSON.stringify(o)); return true; } catch (e) { return false; }
  };
  // A token bucket below the server's limit (burst 10, 2 a second).
  let tokens = 8;
  let tokensAt = Date.now();
  const take = () => {
    const now = Date.now();
    tokens = Math.min(8, tokens + (now - tokensAt) / 600);
    tokensAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };

  const connect = () => {
    if (ws || dead || !wanted) return;
    clearTimeout(retryTimer);
    let sock;
    try { sock = new WebSocket(wsURL); } catch (e) { reconnectLater(); return; }
    ws = sock;
    ready = false;
    sock.onopen = () => {
      const hello = { type: 'hello', v: 2, locale, last_seq: lastSeq };
      if (S.conversation && S.token) { hello.conversation = S.conversation; hello.token = S.token; }
      if (customerToken) hello.customer_token = customerToken;
      send(hello);
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f && typeof f.type === 'string' && handlers[f.type]) handlers[f.type](f);
    };
    sock.onclose = () => {
      if (sock !== ws) return;
      drop();
    };
  };
  // drop forgets the current socket and schedules the next attempt.
  const drop = (now) => {
    const sock = ws;
    ws = null;
    ready = false;
    sentOn.clear();
    showTyping('bot', false);
    if (sock) {
      sock.onclose = sock.onmessage = sock.onopen = null;
      try { sock.close(); } catch (e) { /* already closed */ }
    }
    if (dead) return;
    if (now) { attempt = 0; connect(); return; }
    lost = true;
    setStatus(t('lost'));
    reconnectLater();
  };
  const reconnectLater = () => {
    clearTimeout(retryTimer);
    const delay = Math.min(30000, 1000 * 2 ** attempt++);
    retryTimer = setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  };
  window.addEventListener('online', () => { if (!ws) { attempt = 0; connect(); } });
  window.addEventListener('offline', () => { if (ws) drop(); });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !ws && wanted) { attempt = 0; connect(); }
  });

  // ---- the outbox: customer messages and actions until acknowledged ----
  const queue = (item) => {
    S.outbox.push(item);
    save();
    flush();
  };
  const flush = () => {
    clearTimeout(flushTimer);
    if (!ready) { wanted = true; connect(); return; }
    for (const it of S.outbox) {
      if (sentOn.has(it.client_id)) continue;
      if (!take()) { flushTimer = setTimeout(flush, 700); return; }
      const f = it.action
        ? { type: 'action', client_id: it.client_id, action: it.action, seq: it.seq }
        : it.intake
          ? { type: 'intake', client_id: it.client_id, email: it.email, text: it.text, seq: it.seq }
          : it.survey
            ? { type: 'survey', client_id: it.client_id, seq: it.seq, rating: it.rating, comment: it.comment }
            : { type: 'message', client_id: it.client_id, text: it.text };
      if (!send(f)) return;
      sentOn.set(it.client_id, Date.now());
    }
    // A socket that acknowledges nothing for 15 s is presumed dead.
    const sock = ws;
    setTimeout(() => {
      if (ws !== sock || !ready) return;
      for (const at of sentOn.values()) if (Date.now() - at >= 14000) { drop(true); return; }
    }, 15000);
  };
  // retry sends the frames again after a pause (rate limit, storage down).
  let retries = 0;
  const retry = (id) => {
    if (id) sentOn.delete(id); else sentOn.clear();
    clearTimeout(flushTimer);
    const delay = Math.min(30000, 2000 * 2 ** retries++);
    flushTimer = setTimeout(flush, delay / 2 + Math.random() * delay / 2);
  };
  const unqueue = (id) => {
    const i = S.outbox.findIndex((it) => it.client_id === id);
    if (i < 0) return null;
    sentOn.delete(id);
    const it = S.outbox.splice(i, 1)[0];
    save();
    return it;
  };

  // ---- server frames ----
  const resetConversation = () => {
    S.conversation = S.token = '';
    S.read = lastSeq = 0;
    S.voted = [];
    S.sent = [];
    S.outbox = S.outbox.filter((it) => !it.action && !it.intake && !it.survey);
    shown.clear();
    [...log.children].forEach((n) => { if (+n.dataset.seq > 0) n.remove(); });
    save();
  };
  const handlers = {
    draft(f) {
      if (typeof f.draft !== 'string' || typeof f.text !== 'string') return;
      let d = drafts.get(f.draft);
      if (!d) {
        const el = h('div', 'sd-msg sd-bot sd-draft');
        el.setAttribute('aria-busy', 'true');
        el.appendChild(sr(t('bot')));
        d = { el, md: el.appendChild(h('div', 'sd-md')), text: '' };
        drafts.set(f.draft, d);
        showTyping('bot', false);
        // At the end, after the question (still waiting for its ack):
        // when the ack comes, the question takes its place by seq, before.
        place(el);
      }
      d.text += f.text;
      d.md.replaceChildren();
      markdown(d.text, d.md);
      if (atBottom()) toBottom();
    },
    welcome(f) {
      dropDrafts();
      orderStart.hidden = !(f.customer && typeof f.customer === 'object');
      if (f.start && typeof f.start === 'object') renderStart(f.start);
      ready = true;
      attempt = 0;
      if (lost) { lost = false; setStatus(t('back'), 3000); } else setStatus('');
      flush();
    },
    conversation(f) {
      if (!f.conversation || !f.token) return;
      S.conversation = f.conversation;
      S.token = f.token;
      save();
    },
    ack(f) {
      const it = unqueue(f.client_id);
      retries = 0;
      if (status.classList.contains('sd-err')) setStatus('');
      if (it && (it.intake || it.survey)) {
        // The request or the rating is stored: its form gives way to a note.
        S.sent.push(it.seq);
        if (S.sent.length > 20) S.sent.shift();
        save();
        log.querySelectorAll(it.intake ? '.sd-intake' : '.sd-survey').forEach((el) => {
          if (+el.closest('.sd-msg').dataset.seq === it.seq) el.replaceChildren(h('span', 'sd-thanks', t(it.intake ? 'f_sent' : 's_sent')));
        });
      }
      if (!it || it.action || it.intake || it.survey) return;
      const el = pending.get(f.client_id);
      pending.delete(f.client_id);
      if (el && typeof f.seq === 'number') {
        shown.add(f.seq);
        markPending(el, false);
        el.remove();
        place(el, f.seq);
      }
    },
    message(f) {
      if (typeof f.seq !== 'number') return;
      // The widget speaks the language the assistant answers in.
      if (f.author === 'bot' && T[f.lang] && f.lang !== locale && !shown.has(f.seq)) {
        locale = f.lang;
        applyTexts();
      }
      if (typeof f.draft === 'string' && drafts.has(f.draft)) {
        drafts.get(f.draft).el.remove();
        drafts.delete(f.draft);
      }
      if (!shown.has(f.seq)) {
        shown.add(f.seq);
        let el = f.author === 'customer' && f.client_id && pending.get(f.client_id);
        if (el) {
          // Our own message, stored before its ack was lost.
          pending.delete(f.client_id);
          unqueue(f.client_id);
          markPending(el, false);
          el.remove();
        } else {
          el = renderMessage(f);
        }
        const stick = atBottom();
        place(el, f.seq);
        // A new answer is read from its start: the panel scrolls to its
        // top, not to its end.
        if (ready && stick && (f.author === 'bot' || f.author === 'agent')) {
          scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
        }
        if (f.author === 'bot' || f.author === 'agent') {
          if (typingAuthor === f.author) showTyping(f.author, false);
          if (!isOpen && f.seq > S.read) { unread++; renderBadge(); }
        }
      }
      if (f.seq > lastSeq) lastSeq = f.seq;
      S.last_seq = lastSeq;
      if (isOpen && lastSeq > S.read) S.read = lastSeq;
      save();
    },
    typing(f) {
      // The bot stopped writing: a draft no message replaced (its answer
      // could not be stored) is taken back.
      if (f.author === 'bot' && !f.on) dropDrafts();
      if ((f.author === 'bot' || f.author === 'agent') && !(f.on && drafts.size)) showTyping(f.author, !!f.on);
    },
    state(f) {
      // Who joined, left or closed is told once, by the conversation's own
      // system messages; the state frame only keeps the queue line up to
      // date (a new position updates it rather than adding one).
      if (f.state !== 'queued') return;
      const text = t('queued')(+f.position || 0, +f.wait_seconds || 0);
      const last = log.lastElementChild;
      if (last && last.dataset.state === 'queued') last.textContent = text;
      else { const el = line(text, 'sd-state'); if (el) el.dataset.state = f.state; }
    },
    error(f) {
      const msg = typeof f.message === 'string' ? f.message : '';
      const id = f.client_id;
      switch (f.code) {
        case 'unknown_type':
          return;
        case 'hello_required':
          ready = false;
          if (ws) ws.onopen();
          return;
        case 'version':
          dead = true;
          drop();
          setStatus(msg);
          return;
        case 'conversation_not_found':
          resetConversation();
          line(msg, 'sd-error');
          return;
        case 'rate_limited':
        case 'unavailable':
        case 'internal':
          setStatus(msg, 10000, true);
          if (!ready) drop(); // the hello itself failed
          else retry(id);
          return;
        default: { // invalid, too_long, bad_frame
          const it = id && unqueue(id);
          const el = id && pending.get(id);
          if (el) {
            pending.delete(id);
            markPending(el, false);
            el.classList.add('sd-failed');
            el.appendChild(h('span', 'sd-note', t('failed')));
            el.remove();
            place(el, lastSeq + 0.5);
          }
          if (it || !id) line(msg, 'sd-error');
        }
      }
    },
  };

  // ---- composing ----
  let typingOnAt = 0;
  let idleTimer = 0;
  const typingOff = () => {
    clearTimeout(idleTimer);
    if (typingOnAt) { typingOnAt = 0; if (ready) send({ type: 'typing', on: false }); }
  };
  const grow = () => {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  };
  input.addEventListener('input', () => {
    grow();
    if (!input.value.trim()) { typingOff(); return; }
    if (ready && Date.now() - typingOnAt > 3000 && take()) {
      typingOnAt = Date.now();
      send({ type: 'typing', on: true });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(typingOff, 3000);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  const submit = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    grow();
    typingOff();
    const id = rid('m_');
    const el = customerBubble(text);
    markPending(el, true);
    pending.set(id, el);
    place(el);
    input.focus();
    queue({ client_id: id, text });
  };

  // ---- public API ----
  window.supportd = {
    open,
    close,
    setCustomerToken(token) {
      customerToken = token ? String(token) : '';
      if (ws || wanted) drop(true);
    },
    setLocale(l) {
      locale = Z(l);
      applyTexts();
      if (ws) drop(true);
    },
  };

  // ---- start ----
  applyTexts();
  // Messages written during an outage, before a reload, wait at the end.
  for (const it of S.outbox) {
    if (it.action || it.intake || it.survey) continue;
    const el = customerBubble(it.text);
    markPending(el, true);
    pending.set(it.client_id, el);
    place(el);
  }
  const start = () => {
    document.body.appendChild(root);
    const css = h('link');
    css.rel = 'stylesheet';
    css.href = base + '/widget.css';
    css.onload = () => { root.hidden = false; };
    document.head.appendChild(css);
    if (S.conversation || S.outbox.length) { wanted = true; connect(); }
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
