/*! supportd agent console — speaks docs/agent-protocol.md v1. No dependencies. */
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang === 'en' ? 'en' : 'fr';
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : '';
  const wsURL = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/agent/ws';

  // ---- texts (the page's fixed texts come from the server's template) ----
  const T = {
    fr: {
      anonymous: 'Visiteur anonyme',
      claim: 'Prendre',
      claimLabel: (n) => 'Prendre la conversation de ' + n,
      queueEmpty: 'Personne en attente.',
      waiting: 'attend depuis',
      online: 'En ligne', away: 'Absent', offline: 'Hors ligne',
      load: (l, c) => l + '/' + c,
      loadLong: (l, c) => l + ' conversation' + (l > 1 ? 's' : '') + ' sur ' + c,
      noAgents: 'Aucun autre conseiller.',
      noSurveys: 'Aucun avis pour l\'instant.',
      arrived: 'Nouvelle conversation dans la file',
      note: 'Note interne',
      noCanned: 'Aucune réponse type : ajoutez-en une ci-dessous.',
      noHistory: 'Aucune conversation close ne correspond.',
      res: { answered: 'Répondu', refunded: 'Remboursé', cancelled: 'Annulé', escalated: 'Escaladé', spam: 'Spam' },
      historyFailed: 'L\'historique n\'a pas pu être chargé.',
      edit: 'Modifier',
      del: 'Supprimer',
      cannedSaved: 'Réponse type enregistrée.',
      cannedFailed: 'La réponse type n\'a pas pu être enregistrée (raccourci déjà pris, ou mal formé\u00a0?).',
      rating: (n) => n + '/5',
      meanTitle: 'Note moyenne des derniers avis',
      customer: 'Client', bot: 'Assistant', agent: 'Conseiller', system: 'Système',
      sending: 'Envoi…', failed: 'Non envoyé', resend: 'Renvoyer',
      typing: (n) => n + ' écrit…',
      unread: (n) => n + (n > 1 ? ' messages non lus' : ' message non lu'),
      fresh: 'Nouvelle',
      noConversation: 'Choisissez une conversation, ou prenez-en une dans la file d\u2019attente.',
      name: 'Nom', id: 'Identifiant client', email: 'Email', identity: 'Identité', unverified: 'non vérifié',
      proven: 'Commandes prouvées', language: 'Langue', since: 'Prise en charge', from: 'Transférée par',
      noOrders: 'Aucune commande.', noArticles: 'Aucun article.', items: 'Articles',
      track: 'Suivre le colis',
      status: { pending: 'En attente de paiement', processing: 'En préparation', shipped: 'Expédiée', delivered: 'Livrée', cancelled: 'Annulée' },
      articles: 'Articles\u00a0:', actions: 'Boutons proposés\u00a0:',
      conn: { connecting: 'Connexion…', open: 'Connecté', lost: 'Connexion perdue. Reconnexion…' },
      session: 'Votre session a expiré.', relogin: 'Se reconnecter',
      version: 'Version du protocole inattendue\u00a0: rechargez la page.',
      assigned: (n) => 'Nouvelle conversation\u00a0: ' + n + '.',
      transferredIn: (n, who) => who + ' vous a transféré la conversation de ' + n + '.',
      released: {
        closed: (n) => 'Conversation de ' + n + ' clôturée.',
        transferred: (n) => 'Conversation de ' + n + ' transférée.',
        requeued: (n) => 'Conversation de ' + n + ' remise dans la file d\u2019attente.',
      },
      errors: {
        bad_frame: 'La console a envoyé une demande mal formée\u00a0: rechargez la page.',
        invalid: 'Demande non valide.',
        too_long: 'Message trop long\u00a0: 4\u00a0000 caractères au plus.',
        rate_limited: 'Trop d\u2019envois rapprochés\u00a0: nouvel essai dans un instant.',
        taken: 'Un autre conseiller a déjà pris cette conversation.',
        capacity: 'Vous avez déjà autant de conversations que votre capacité le permet.',
        capacity_transfer: 'Ce conseiller a déjà autant de conversations que sa capacité le permet.',
        not_online: 'Passez «\u00a0En ligne\u00a0» pour prendre une conversation.',
        not_online_transfer: 'Ce conseiller n\u2019est pas en ligne.',
        not_holder: 'Cette conversation n\u2019est pas (ou plus) la vôtre.',
        unknown_agent: 'Conseiller inconnu.',
        unavailable: 'Le stockage est indisponible\u00a0: nouvel essai dans un instant.',
        internal: 'Erreur interne\u00a0: réessayez.',
      },
      tickets: {
        none: 'Aucune demande.',
        title: (n) => 'Demande n°\u00a0' + n,
        status: { open: 'Ouverte', answered: 'Répondue', closed: 'Fermée' },
        received: 'Reçue le', email: 'Email', name: 'Nom', customer: 'Client', conversation: 'Conversation',
        statusLabel: 'Statut', answeredAt: 'Répondue le', message: 'Message', transcript: 'Conversation avec l\u2019assistant',
        noTranscript: 'Pas de messages.',
        loadFailed: 'Impossible de charger les demandes par email.',
        openFailed: 'Impossible d\u2019ouvrir cette demande.',
        notFound: 'Cette demande n\u2019existe pas.',
        sent: (n) => 'Réponse à la demande n°\u00a0' + n + ' envoyée.',
        sendFailed: 'Réponse non envoyée\u00a0: réessayez.',
        invalid: 'La réponse doit faire de 1 à 10\u00a0000 caractères.',
        forbidden: 'La page a expiré\u00a0: rechargez-la.',
        fresh: (n) => 'Nouvelle demande par email n°\u00a0' + n + '.',
        badge: (n) => n + (n > 1 ? ' nouvelles demandes' : ' nouvelle demande'),
      },
      min: (s) => (s < 60 ? '<\u00a01\u00a0min' : s < 3600 ? Math.floor(s / 60) + '\u00a0min'
        : Math.floor(s / 3600) + '\u00a0h\u00a0' + String(Math.floor(s / 60) % 60).padStart(2, '0')),
    },
    en: {
      anonymous: 'Anonymous visitor',
      claim: 'Take',
      claimLabel: (n) => 'Take the conversation with ' + n,
      queueEmpty: 'Nobody is waiting.',
      waiting: 'waiting for',
      online: 'Online', away: 'Away', offline: 'Offline',
      load: (l, c) => l + '/' + c,
      loadLong: (l, c) => l + ' conversation' + (l === 1 ? '' : 's') + ' of ' + c,
      noAgents: 'No other agent.',
      noSurveys: 'No rating yet.',
      arrived: 'New conversation in the queue',
      note: 'Internal note',
      noCanned: 'No canned reply: add one below.',
      noHistory: 'No closed conversation matches.',
      res: { answered: 'Answered', refunded: 'Refunded', cancelled: 'Cancelled', escalated: 'Escalated', spam: 'Spam' },
      historyFailed: 'The history could not be loaded.',
      edit: 'Edit',
      del: 'Delete',
      cannedSaved: 'Canned reply saved.',
      cannedFailed: 'The canned reply could not be saved (shortcut taken, or malformed?).',
      rating: (n) => n + '/5',
      meanTitle: 'Mean rating of the latest answers',
      customer: 'Customer', bot: 'Assistant', agent: 'Agent', system: 'System',
      sending: 'Sending…', failed: 'Not sent', resend: 'Send again',
      typing: (n) => n + ' is typing…',
      unread: (n) => n + (n > 1 ? ' unread messages' : ' unread message'),
      fresh: 'New',
      noConversation: 'Pick a conversation, or take one from the queue.',
      name: 'Name', id: 'Customer id', email: 'Email', identity: 'Identity', unverified: 'not verified',
      proven: 'Orders proven', language: 'Language', since: 'Taken at', from: 'Transferred by',
      noOrders: 'No order.', noArticles: 'No article.', items: 'Items',
      track: 'Track the parcel',
      status: { pending: 'Awaiting payment', processing: 'Being prepared', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled' },
      articles: 'Articles:', actions: 'Buttons offered:',
      conn: { connecting: 'Connecting…', open: 'Connected', lost: 'Connection lost. Reconnecting…' },
      session: 'Your session has expired.', relogin: 'Log in again',
      version: 'Unexpected protocol version: reload the page.',
      assigned: (n) => 'New conversation: ' + n + '.',
      transferredIn: (n, who) => who + ' transferred the conversation with ' + n + ' to you.',
      released: {
        closed: (n) => 'Conversation with ' + n + ' closed.',
        transferred: (n) => 'Conversation with ' + n + ' transferred.',
        requeued: (n) => 'Conversation with ' + n + ' put back in the queue.',
      },
      errors: {
        bad_frame: 'The console sent a malformed request: reload the page.',
        invalid: 'Invalid request.',
        too_long: 'Message too long: 4,000 characters at most.',
        rate_limited: 'Too many requests: trying again in a moment.',
        taken: 'Another agent has already taken this conversation.',
        capacity: 'You already hold as many conversations as your capacity allows.',
        capacity_transfer: 'This agent already holds as many conversations as their capacity allows.',
        not_online: 'Go « Online » to take a conversation.',
        not_online_transfer: 'This agent is not online.',
        not_holder: 'This conversation is not (or no longer) yours.',
        unknown_agent: 'Unknown agent.',
        unavailable: 'Storage is unavailable: trying again in a moment.',
        internal: 'Internal error: try again.',
      },
      tickets: {
        none: 'No request.',
        title: (n) => 'Request #' + n,
        status: { open: 'Open', answered: 'Answered', closed: 'Closed' },
        received: 'Received', email: 'Email', name: 'Name', customer: 'Customer', conversation: 'Conversation',
        statusLabel: 'Status', answeredAt: 'Answered', message: 'Message', transcript: 'Conversation with the assistant',
        noTranscript: 'No messages.',
        loadFailed: 'Cannot load the email requests.',
        openFailed: 'Cannot open this request.',
        notFound: 'This request does not exist.',
        sent: (n) => 'Reply to request #' + n + ' sent.',
        sendFailed: 'Reply not sent: try again.',
        invalid: 'The reply must be 1 to 10,000 characters.',
        forbidden: 'The page has expired: reload it.',
        fresh: (n) => 'New email request #' + n + '.',
        badge: (n) => n + (n > 1 ? ' new requests' : ' new request'),
      },
      min: (s) => (s < 60 ? '< 1 min' : s < 3600 ? Math.floor(s / 60) + ' min'
        : Math.floor(s / 3600) + ' h ' + String(Math.floor(s / 60) % 60).padStart(2, '0')),
    },
  };
  const L = T[lang];
  const locale = lang === 'en' ? 'en-GB' : 'fr-FR';

  // ---- DOM helpers: data only ever goes through textContent ----
  const h = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const str = (v) => (typeof v === 'string' ? v : '');
  // safeURL resolves u against the page and keeps it only for http(s).
  const safeURL = (u) => {
    if (typeof u !== 'string' || !u) return null;
    try {
      const r = new URL(u, location.href);
      return r.protocol === 'http:' || r.protocol === 'https:' ? r.href : null;
    } catch (e) { return null; }
  };
  const link = (href, text) => {
    const a = h('a', 'ext', text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  };
  const date = (v) => {
    const d = typeof v === 'string' && v ? new Date(v) : null;
    return d && !isNaN(d) && d.getFullYear() > 1 ? d : null;
  };
  const fmt = (v, opts) => {
    const d = date(v);
    return d ? d.toLocaleString(locale, opts || { dateStyle: 'short', timeStyle: 'short' }) : '';
  };
  const timeEl = (v, opts, cls) => {
    const d = date(v);
    const el = h('time', cls || '', d ? d.toLocaleString(locale, opts || { dateStyle: 'short', timeStyle: 'short' }) : '');
    if (d) el.setAttribute('datetime', d.toISOString());
    return el;
  };
  const rid = () => {
    const b = new Uint8Array(8);
    crypto.getRandomValues(b);
    return 'a_' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };
  const dl = (parent, rows) => {
    for (const [k, v] of rows) {
      if (v == null || v === '') continue;
      parent.appendChild(h('dt', '', k));
      const dd = parent.appendChild(h('dd'));
      if (v instanceof Node) dd.appendChild(v); else dd.textContent = v;
    }
  };
  const excerpt = (s, n) => {
    s = str(s).replace(/\s+/g, ' ').trim();
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
  };

  // Bot and system messages are rendered from the safe markdown subset.
  /* supportd:markdown */
  const markdown = safeMarkdown({ h, url: safeURL, link: (href, parent) => parent.appendChild(link(href)), tableClass: 'msg-table' });

  // ---- elements of the page ----
  const el = {
    presence: $('presence'), conn: $('conn'), status: $('status-line'),
    queue: $('queue'), queueCount: $('queue-count'), held: $('held'), heldEmpty: $('held-empty'), load: $('load'),
    agents: $('agents'), surveys: $('surveys'), surveysMean: $('surveys-mean'), sound: $('sound'), notify: $('notify'),
    chatTab: $('chat-tab'), ticketsTab: $('tickets-tab'), chatBadge: $('chat-badge'), ticketsBadge: $('tickets-badge'),
    chatView: $('chat-view'), ticketsView: $('tickets-view'), historyTab: $('history-tab'), historyView: $('history-view'),
    historyForm: $('history-form'), historyQ: $('history-q'), historyFrom: $('history-from'), historyTo: $('history-to'),
    historyAgent: $('history-agent'), historyResolution: $('history-resolution'), history: $('history'),
    historyEmpty: $('history-empty'), historyDetail: $('history-detail'),
    title: $('conv-title'), transcript: $('transcript'), typing: $('typing'),
    replyForm: $('reply-form'), reply: $('reply'), send: $('send'), note: $('note'),
    canned: $('canned'), cannedForm: $('canned-form'), cannedId: $('canned-id'), cannedShortcut: $('canned-shortcut'),
    cannedText: $('canned-text'), cannedPick: $('canned-pick'),
    panel: $('customer-panel'), identity: $('identity'), orders: $('orders'), articles: $('articles'),
    transferForm: $('transfer-form'), transferTo: $('transfer-to'), transfer: $('transfer'),
    closeForm: $('close-form'), resolution: $('resolution'), close: $('close'), answeredBy: $('answered-by'),
    tickets: $('tickets'), ticketsStatus: $('tickets-status'), ticketsRefresh: $('tickets-refresh'),
    ticketEmpty: $('ticket-empty'), ticketDetail: $('ticket-detail'), ticketForm: $('ticket-form'),
    ticketReply: $('ticket-reply'), ticketSend: $('ticket-send'),
  };
  const baseTitle = document.title;
  const pageStart = Date.now() - 2000;

  // ---- status line ----
  let statusTimer = 0;
  const setStatus = (text, kind, extra) => {
    clearTimeout(statusTimer);
    el.status.replaceChildren();
    el.status.className = 'status-line' + (text ? ' on ' + (kind || 'info') : '');
    if (!text) return;
    el.status.appendChild(h('span', '', text));
    if (extra) el.status.append(' ', extra);
    if (kind !== 'fatal') statusTimer = setTimeout(() => setStatus(''), kind === 'error' ? 20000 : 8000);
  };
  const setConn = (state) => {
    el.conn.textContent = L.conn[state];
    el.conn.dataset.state = state;
  };

  // ---- state ----
  let me = null; // {login, name, capacity, status, load}
  const agents = new Map(); // login -> agent info, oneself excluded
  let queue = []; // queue items, in order
  let convs = new Map(); // id -> held conversation
  let selected = null; // id of the conversation shown
  let claimed = null; // id of the last conversation claimed from this page
  let lastAct = null; // {type, conversation} of the last claim or transfer
  let view = 'chat';
  const outbox = []; // {client_id, conversation, text, sentAt}
  const failed = new Map(); // client_id -> {client_id, conversation, text} not sent

  const validID = (id) => typeof id === 'string' && /^c_[A-Za-z0-9_-]{1,62}$/.test(id);
  const customerName = (c) => (c && c.customer && str(c.customer.name)) || L.anonymous;
  const agentName = (login) => {
    if (me && login === me.login) return me.name || me.login;
    const a = agents.get(login);
    return (a && (a.name || a.login)) || str(login);
  };
  const cleanAgent = (a) => (a && typeof a.login === 'string' ? {
    login: a.login, name: str(a.name) || a.login, capacity: +a.capacity || 0,
    status: /^(online|away|offline)$/.test(a.status) ? a.status : 'offline', load: +a.load || 0,
  } : null);

  // ---- the socket ----
  let ws = null;
  let ready = false; // welcome received on ws
  let dead = false; // the session expired: no more attempts
  let attempt = 0;
  let retryTimer = 0;
  let flushTimer = 0;
  let retries = 0;
  let wantedPresence = null; // chosen while disconnected

  // A token bucket below the server's limit (a burst of 10, then 2 a second).
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
  const send = (o) => {
    if (!ws || ws.readyState !== 1) return false;
    try { ws.send(JSON.stringify(o)); return true; } catch (e) { return false; }
  };

  const connect = () => {
    if (ws || dead) return;
    clearTimeout(retryTimer);
    setConn('connecting');
    let sock;
    try { sock = new WebSocket(wsURL); } catch (e) { reconnectLater(); return; }
    ws = sock;
    ready = false;
    let opened = false;
    sock.onopen = () => {
      if (sock !== ws) return;
      opened = true;
      document.body.dataset.ws = 'open';
      setConn('open');
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f && typeof f === 'object' && typeof f.type === 'string' && Object.prototype.hasOwnProperty.call(handlers, f.type)) {
        handlers[f.type](f);
      }
    };
    sock.onclose = () => {
      if (sock !== ws) return;
      drop(false);
      // A socket refused at once may mean the session is over.
      if (!opened) checkSession();
    };
  };
  // drop forgets the socket; now reconnects at once instead of after a pause.
  const drop = (now) => {
    const sock = ws;
    ws = null;
    ready = false;
    document.body.dataset.ws = 'closed';
    for (const it of outbox) it.sentAt = 0;
    typingConv = null;
    typingSentAt = 0;
    for (const c of convs.values()) c.typing = false;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = null;
      try { sock.close(); } catch (e) { /* already closed */ }
    }
    if (dead) return;
    renderTyping();
    renderHeld();
    if (now) { attempt = 0; connect(); return; }
    setConn('lost');
    reconnectLater();
  };
  const reconnectLater = () => {
    clearTimeout(retryTimer);
    const delay = Math.min(30000, 1000 * 2 ** attempt++);
    retryTimer = setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  };
  window.addEventListener('online', () => { if (!ws) { attempt = 0; connect(); } });
  window.addEventListener('offline', () => { if (ws) drop(false); });

  const sessionExpired = () => {
    if (dead) return;
    dead = true;
    clearTimeout(retryTimer);
    drop(false);
    setConn('lost');
    const a = h('a', '', L.relogin);
    a.href = '/agent/login' + (lang === 'en' ? '?lang=en' : '');
    setStatus(L.session, 'fatal', a);
  };
  const checkSession = () => {
    fetch('/agent', { redirect: 'manual', credentials: 'same-origin', cache: 'no-store' }).then((res) => {
      if (res.type === 'opaqueredirect' || res.status === 401) sessionExpired();
    }, () => {});
  };

  // ---- the outbox: the agent's messages until acknowledged ----
  const flush = () => {
    clearTimeout(flushTimer);
    if (!ready) return;
    let sent = false;
    for (const it of outbox) {
      if (it.sentAt) continue;
      if (!take()) { flushTimer = setTimeout(flush, 700); break; }
      if (!send({ type: it.note ? 'note' : 'message', conversation: it.conversation, client_id: it.client_id, text: it.text })) return;
      it.sentAt = Date.now();
      sent = true;
    }
    if (!sent) return;
    // A socket that acknowledges nothing for 15 s is presumed dead.
    const sock = ws;
    setTimeout(() => {
      if (ws !== sock || !ready) return;
      if (outbox.some((it) => it.sentAt && Date.now() - it.sentAt >= 14000)) drop(true);
    }, 15000);
  };
  const retryLater = (it) => {
    if (it) it.sentAt = 0;
    clearTimeout(flushTimer);
    const delay = Math.min(30000, 2000 * 2 ** retries++);
    flushTimer = setTimeout(flush, delay / 2 + Math.random() * delay / 2);
  };
  const unqueue = (id) => {
    const i = outbox.findIndex((it) => it.client_id === id);
    return i < 0 ? null : outbox.splice(i, 1)[0];
  };

  // ---- conversations ----
  const cleanMsg = (m) => (m && typeof m === 'object' && typeof m.seq === 'number' ? m : null);
  const makeConv = (c, prev) => {
    const conv = {
      id: c.id,
      lang: str(c.lang),
      since: str(c.since),
      from: str(c.from),
      customer: c.customer && typeof c.customer === 'object' ? c.customer : null,
      verified: Array.isArray(c.verified_orders) ? c.verified_orders.filter((x) => typeof x === 'string') : [],
      orders: Array.isArray(c.orders) ? c.orders.filter((o) => o && typeof o === 'object') : [],
      msgs: prev ? prev.msgs : new Map(),
      unread: prev ? prev.unread : 0,
      // New to the agent: taken after the page was opened.
      fresh: prev ? prev.fresh : !date(c.since) || date(c.since).getTime() > pageStart,
      draft: prev ? prev.draft : '',
      typing: false,
      typingTimer: 0,
      stale: false,
    };
    for (const m of Array.isArray(c.messages) ? c.messages : []) {
      const msg = cleanMsg(m);
      if (msg) conv.msgs.set(msg.seq, msg);
    }
    return conv;
  };
  // firstHeld returns the conversation to show: the one shown, or the first held.
  const firstHeld = () => (convs.has(selected) ? selected : convs.keys().next().value || null);
  const sortedMsgs = (conv) => [...conv.msgs.values()].sort((a, b) => a.seq - b.seq);

  const select = (id, focus) => {
    if (selected && selected !== id) {
      typingOff();
      const prev = convs.get(selected);
      if (prev) prev.draft = el.reply.value;
    }
    selected = id && convs.has(id) ? id : null;
    const conv = selected && convs.get(selected);
    if (conv) {
      conv.unread = 0;
      conv.fresh = false;
      el.reply.value = conv.draft;
    } else {
      el.reply.value = '';
    }
    renderHeld();
    renderConversation();
    if (focus && conv) { showView('chat'); el.reply.focus(); }
  };

  // ---- rendering ----
  const renderPresence = () => {
    if (!me) return;
    // The select stays disabled until the server has said who the agent
    // is; a choice made while reconnecting is sent with the next welcome.
    el.presence.disabled = false;
    el.presence.value = me.status;
    el.load.textContent = L.load(me.load, me.capacity);
    el.load.title = L.loadLong(me.load, me.capacity);
  };

  const renderAgents = () => {
    const list = [...agents.values()].sort((a, b) => {
      const rank = { online: 0, away: 1, offline: 2 };
      return rank[a.status] - rank[b.status] || a.name.localeCompare(b.name, locale);
    });
    el.agents.replaceChildren();
    if (!list.length) el.agents.appendChild(h('li', 'muted', L.noAgents));
    for (const a of list) {
      const li = el.agents.appendChild(h('li', 'agent status-' + a.status));
      li.dataset.login = a.login;
      li.appendChild(h('span', 'dot')).setAttribute('aria-hidden', 'true');
      li.appendChild(h('span', 'agent-name', a.name));
      li.appendChild(h('span', 'agent-status', L[a.status]));
      const load = li.appendChild(h('span', 'agent-load', L.load(a.load, a.capacity)));
      load.title = L.loadLong(a.load, a.capacity);
    }
    renderTransfer();
  };

  const renderTransfer = () => {
    const keep = el.transferTo.value;
    el.transferTo.replaceChildren();
    const list = [...agents.values()].sort((a, b) => a.name.localeCompare(b.name, locale));
    for (const a of list) {
      const o = h('option', '', a.name + ' — ' + L[a.status] + ' · ' + L.load(a.load, a.capacity));
      o.value = a.login;
      el.transferTo.appendChild(o);
    }
    if (!list.length) {
      const o = el.transferTo.appendChild(h('option', '', L.noAgents));
      o.value = '';
    } else if (list.some((a) => a.login === keep)) {
      el.transferTo.value = keep;
    } else {
      const firstOnline = list.find((a) => a.status === 'online' && a.load < a.capacity);
      if (firstOnline) el.transferTo.value = firstOnline.login;
    }
    el.transfer.disabled = !list.length || !selected;
  };

  const waitText = (since) => {
    const d = date(since);
    return d ? L.min(Math.max(0, (Date.now() - d.getTime()) / 1000)) : '';
  };
  const renderQueue = () => {
    el.queue.replaceChildren();
    el.queueCount.textContent = String(queue.length);
    if (!queue.length) el.queue.appendChild(h('li', 'muted', L.queueEmpty));
    for (const it of queue) {
      const name = (it.customer && str(it.customer.name)) || L.anonymous;
      const li = el.queue.appendChild(h('li', 'queue-item'));
      li.dataset.conversation = it.conversation;
      const top = li.appendChild(h('div', 'q-top'));
      top.appendChild(h('span', 'q-name' + (it.customer ? '' : ' anonymous'), name));
      if (it.lang && it.lang !== lang) top.appendChild(h('span', 'tag', it.lang.toUpperCase()));
      const wait = top.appendChild(h('span', 'q-wait'));
      wait.appendChild(h('span', 'sr', L.waiting + ' '));
      const since = wait.appendChild(h('span', 'q-since', waitText(it.since)));
      since.dataset.since = str(it.since);
      wait.title = fmt(it.since);
      if (it.question) li.appendChild(h('p', 'q-question', it.question));
      const b = li.appendChild(h('button', 'claim', L.claim));
      b.type = 'button';
      b.setAttribute('aria-label', L.claimLabel(name));
    }
  };
  setInterval(() => {
    el.queue.querySelectorAll('.q-since').forEach((s) => { s.textContent = waitText(s.dataset.since); });
  }, 10000);

  const renderTitle = () => {
    let n = 0;
    for (const c of convs.values()) n += c.unread + (c.fresh ? 1 : 0);
    document.title = (n ? '(' + n + ') ' : '') + baseTitle;
    el.chatBadge.hidden = !n || view === 'chat';
    el.chatBadge.textContent = String(n);
  };

  const renderHeld = () => {
    el.held.replaceChildren();
    el.heldEmpty.hidden = convs.size > 0;
    for (const c of convs.values()) {
      const li = el.held.appendChild(h('li', 'held-item' + (c.id === selected ? ' selected' : '') + (c.unread || c.fresh ? ' unread' : '')));
      li.dataset.conversation = c.id;
      const b = li.appendChild(h('button', 'held-btn'));
      b.type = 'button';
      if (c.id === selected) b.setAttribute('aria-current', 'true');
      b.appendChild(h('span', 'h-name', customerName(c)));
      const last = sortedMsgs(c).pop();
      if (c.typing) b.appendChild(h('span', 'h-last h-typing', L.typing(customerName(c))));
      else if (last) b.appendChild(h('span', 'h-last', excerpt(last.text, 60)));
      if (c.unread) {
        const u = b.appendChild(h('span', 'badge', String(c.unread)));
        u.setAttribute('aria-hidden', 'true');
        b.appendChild(h('span', 'sr', ' (' + L.unread(c.unread) + ')'));
      } else if (c.fresh) {
        b.appendChild(h('span', 'badge fresh', L.fresh));
      }
    }
    renderTitle();
  };

  const renderMsg = (m, name) => {
    const author = /^(customer|bot|agent|system|note)$/.test(m.author) ? m.author : 'system';
    const wrap = h('div', 'msg msg-' + author);
    if (typeof m.seq === 'number') wrap.dataset.seq = m.seq;
    const head = wrap.appendChild(h('div', 'msg-head'));
    const who = author === 'customer' ? name || L.customer : author === 'agent' ? str(m.agent) || L.agent
      : author === 'note' ? L.note + (m.agent ? ' · ' + str(m.agent) : '') : L[author];
    head.appendChild(h('span', 'msg-who', who));
    head.appendChild(timeEl(m.created_at, { timeStyle: 'short' }, 'msg-time')).title = fmt(m.created_at);
    if (author === 'bot' || author === 'system') markdown(str(m.text), wrap.appendChild(h('div', 'msg-md')));
    else wrap.appendChild(h('div', 'msg-text', str(m.text)));
    if (author === 'bot') {
      const arts = (Array.isArray(m.articles) ? m.articles : []).filter((a) => a && safeURL(a.url));
      if (arts.length) {
        const box = wrap.appendChild(h('div', 'msg-articles'));
        box.appendChild(h('span', 'label', L.articles));
        const ul = box.appendChild(h('ul'));
        for (const a of arts) ul.appendChild(h('li')).appendChild(link(safeURL(a.url), str(a.title) || a.url));
      }
      const acts = (Array.isArray(m.actions) ? m.actions : []).filter((a) => a && (a.label || a.id));
      if (acts.length) {
        const box = wrap.appendChild(h('div', 'msg-actions'));
        box.appendChild(h('span', 'label', L.actions));
        for (const a of acts) box.appendChild(h('span', 'chip', str(a.label) || str(a.id)));
      }
    }
    return wrap;
  };
  const pendingEl = (it, failedNow) => {
    const wrap = h('div', 'msg msg-agent ' + (failedNow ? 'failed' : 'pending'));
    wrap.dataset.clientId = it.client_id;
    const head = wrap.appendChild(h('div', 'msg-head'));
    head.appendChild(h('span', 'msg-who', (me && me.name) || L.agent));
    wrap.appendChild(h('div', 'msg-text', it.text));
    if (failedNow) {
      const note = wrap.appendChild(h('div', 'msg-note', L.failed + ' '));
      const b = note.appendChild(h('button', 'resend', L.resend));
      b.type = 'button';
      b.addEventListener('click', () => {
        failed.delete(it.client_id);
        outbox.push({ client_id: it.client_id, conversation: it.conversation, text: it.text, sentAt: 0, note: it.note });
        wrap.replaceWith(pendingEl(it));
        flush();
      });
    } else {
      wrap.appendChild(h('div', 'msg-note', L.sending));
    }
    return wrap;
  };
  const atBottom = () => el.transcript.scrollHeight - el.transcript.scrollTop - el.transcript.clientHeight < 80;
  const toBottom = () => { el.transcript.scrollTop = el.transcript.scrollHeight; };
  // place inserts a message in seq order, before the messages still waiting
  // for their ack.
  const place = (node, seq) => {
    const stick = atBottom();
    let ref = null;
    if (seq != null) {
      for (let n = el.transcript.lastElementChild; n; n = n.previousElementSibling) {
        if (n.dataset.seq !== undefined && +n.dataset.seq <= seq) break;
        ref = n;
      }
    }
    el.transcript.insertBefore(node, ref);
    if (stick || seq == null) toBottom();
  };
  const pendingNode = (id) => [...el.transcript.children].find((n) => n.dataset.clientId === id) || null;

  const renderTranscript = (conv) => {
    el.transcript.replaceChildren();
    const name = customerName(conv);
    for (const m of sortedMsgs(conv)) el.transcript.appendChild(renderMsg(m, name));
    for (const it of outbox) if (it.conversation === conv.id) el.transcript.appendChild(pendingEl(it));
    for (const it of failed.values()) if (it.conversation === conv.id) el.transcript.appendChild(pendingEl(it, true));
    toBottom();
  };

  const renderTyping = () => {
    const conv = selected && convs.get(selected);
    el.typing.textContent = conv && conv.typing ? L.typing(customerName(conv)) : '';
  };

  const renderIdentity = (conv) => {
    el.identity.replaceChildren();
    const c = conv.customer;
    if (c && (c.id || c.name || c.email)) {
      dl(el.identity, [[L.name, str(c.name) || '—'], [L.id, str(c.id) || '—'], [L.email, str(c.email) || L.unverified]]);
    } else {
      dl(el.identity, [[L.name, L.anonymous], [L.identity, L.unverified]]);
    }
    dl(el.identity, [
      [L.proven, conv.verified.join(', ')],
      [L.language, conv.lang.toUpperCase()],
      [L.since, fmt(conv.since)],
      [L.from, conv.from ? agentName(conv.from) : ''],
    ]);
  };
  const renderOrders = (conv) => {
    el.orders.replaceChildren();
    if (!conv.orders.length) el.orders.appendChild(h('li', 'muted', L.noOrders));
    for (const o of conv.orders) {
      const li = el.orders.appendChild(h('li', 'order'));
      li.dataset.number = str(o.number);
      const top = li.appendChild(h('div', 'o-top'));
      top.appendChild(h('strong', 'o-number', str(o.number)));
      top.appendChild(h('span', 'o-total', str(o.total)));
      const line = li.appendChild(h('div', 'o-line'));
      line.appendChild(timeEl(o.placed_at, { dateStyle: 'medium' }, 'o-date'));
      const st = str(o.status);
      line.appendChild(h('span', 'o-status status-' + (/^[a-z_]+$/.test(st) ? st : 'other'), L.status[st] || st));
      const items = Array.isArray(o.items) ? o.items.filter((x) => typeof x === 'string') : [];
      if (items.length) li.appendChild(h('div', 'o-items', items.join(', '))).title = L.items;
      const url = safeURL(o.tracking_url);
      if (o.carrier || url) {
        const tr = li.appendChild(h('div', 'o-track'));
        if (o.carrier) tr.appendChild(h('span', 'o-carrier', str(o.carrier)));
        if (url) {
          if (o.carrier) tr.append(' — ');
          tr.appendChild(link(url, L.track));
        }
      }
    }
  };
  const renderArticles = (conv) => {
    el.articles.replaceChildren();
    // The articles shown also fill the choice of the one that answered,
    // whose id the close frame carries.
    const chosen = el.answeredBy.value;
    while (el.answeredBy.options.length > 1) el.answeredBy.remove(1);
    const seen = new Set();
    for (const m of sortedMsgs(conv)) {
      if (m.author !== 'bot' || !Array.isArray(m.articles)) continue;
      for (const a of m.articles) {
        const url = a && safeURL(a.url);
        if (!url) continue;
        const key = str(a.id) || url;
        if (seen.has(key)) continue;
        seen.add(key);
        const li = el.articles.appendChild(h('li'));
        if (a.id) li.dataset.article = str(a.id);
        li.appendChild(link(url, str(a.title) || url));
        if (a.id) {
          const opt = el.answeredBy.appendChild(h('option', '', str(a.title) || str(a.id)));
          opt.value = str(a.id);
        }
      }
    }
    el.answeredBy.value = chosen;
    if (el.answeredBy.value !== chosen) el.answeredBy.value = '';
    if (!seen.size) el.articles.appendChild(h('li', 'muted', L.noArticles));
  };

  const renderConversation = () => {
    const conv = selected && convs.get(selected);
    el.reply.disabled = el.send.disabled = el.note.disabled = el.close.disabled = !conv;
    el.panel.hidden = !conv;
    el.transcript.dataset.conversation = conv ? conv.id : '';
    if (!conv) {
      el.title.textContent = L.noConversation;
      el.transcript.replaceChildren();
      el.typing.textContent = '';
      renderTransfer();
      return;
    }
    el.title.textContent = customerName(conv);
    renderTranscript(conv);
    renderTyping();
    renderIdentity(conv);
    renderOrders(conv);
    renderArticles(conv);
    renderTransfer();
  };

  const renderAll = () => {
    renderPresence();
    renderAgents();
    renderQueue();
    renderHeld();
    renderConversation();
  };

  // ---- server frames ----
  let staleTimer = 0;
  const addConv = (c, notify) => {
    if (!c || !validID(c.id)) return;
    const prev = convs.get(c.id);
    const conv = makeConv(c, prev);
    convs.set(c.id, conv);
    queue = queue.filter((it) => it.conversation !== c.id);
    renderQueue();
    if (!prev && notify && conv.fresh) {
      const name = customerName(conv);
      setStatus(conv.from ? L.transferredIn(name, agentName(conv.from)) : L.assigned(name), 'info');
    }
    if (claimed === c.id || !selected || selected === c.id) {
      const mine = claimed === c.id;
      if (mine) claimed = null;
      select(c.id, mine);
    } else {
      renderHeld();
    }
  };

  const handlers = {
    welcome(f) {
      ready = true;
      attempt = 0;
      retries = 0;
      if (f.v !== 1) setStatus(L.version, 'error');
      me = cleanAgent(f.agent) || me;
      agents.clear();
      for (const a of Array.isArray(f.agents) ? f.agents : []) {
        const x = cleanAgent(a);
        if (x && (!me || x.login !== me.login)) agents.set(x.login, x);
      }
      queue = (Array.isArray(f.queue) ? f.queue : []).filter((it) => it && validID(it.conversation));
      // The conversations held follow as assigned frames (or come in held);
      // those that do not come back were released while disconnected.
      for (const c of convs.values()) c.stale = true;
      for (const c of Array.isArray(f.held) ? f.held : []) addConv(c, false);
      clearTimeout(staleTimer);
      staleTimer = setTimeout(() => {
        let gone = false;
        for (const c of [...convs.values()]) if (c.stale) { convs.delete(c.id); gone = true; }
        if (gone) select(firstHeld());
      }, 5000);
      if (wantedPresence && me && wantedPresence !== me.status) send({ type: 'presence', status: wantedPresence });
      wantedPresence = null;
      renderAll();
      flush();
      loadTickets();
      loadSurveys();
      loadCanned();
    },
    presence(f) {
      const a = cleanAgent(f.agent);
      if (!a) return;
      if (me && a.login === me.login) {
        me = a;
        renderPresence();
      } else {
        agents.set(a.login, a);
        renderAgents();
      }
    },
    queued(f) {
      const it = f.item;
      if (!it || !validID(it.conversation) || convs.has(it.conversation)) return;
      const fresh = !queue.some((x) => x.conversation === it.conversation);
      queue = queue.filter((x) => x.conversation !== it.conversation);
      if (it.front) queue.unshift(it); else queue.push(it);
      renderQueue();
      if (fresh) alertArrival(it);
    },
    dequeued(f) {
      const n = queue.length;
      queue = queue.filter((x) => x.conversation !== f.conversation);
      if (queue.length !== n) renderQueue();
    },
    assigned(f) {
      addConv(f.conversation, true);
    },
    message(f) {
      const conv = convs.get(f.conversation);
      const m = cleanMsg(f);
      if (!conv || !m) return;
      const known = conv.msgs.has(m.seq);
      conv.msgs.set(m.seq, m);
      if (m.client_id) {
        // Our own message, stored before its ack came.
        unqueue(m.client_id);
        failed.delete(m.client_id);
      }
      const shown = conv.id === selected;
      if (shown) {
        const old = m.client_id && pendingNode(m.client_id);
        if (old) old.remove();
        const node = el.transcript.querySelector('[data-seq="' + m.seq + '"]');
        if (node) node.replaceWith(renderMsg(m, customerName(conv)));
        else place(renderMsg(m, customerName(conv)), m.seq);
        if (m.author === 'bot') renderArticles(conv);
      }
      if (!known && m.author === 'customer') {
        conv.typing = false;
        if (!shown || view !== 'chat' || document.hidden) conv.unread++;
        if (shown) renderTyping();
      }
      renderHeld();
    },
    typing(f) {
      const conv = convs.get(f.conversation);
      if (!conv || f.author !== 'customer') return;
      conv.typing = !!f.on;
      clearTimeout(conv.typingTimer);
      if (conv.typing) conv.typingTimer = setTimeout(() => { conv.typing = false; renderTyping(); renderHeld(); }, 30000);
      renderTyping();
      renderHeld();
    },
    released(f) {
      const conv = convs.get(f.conversation);
      if (!conv) return;
      convs.delete(conv.id);
      for (let i = outbox.length - 1; i >= 0; i--) if (outbox[i].conversation === conv.id) outbox.splice(i, 1);
      for (const [id, it] of failed) if (it.conversation === conv.id) failed.delete(id);
      const say = L.released[f.reason];
      if (say) setStatus(say(customerName(conv)), 'info');
      if (selected === conv.id) {
        typingConv = null;
        select(firstHeld());
      } else {
        renderHeld();
      }
    },
    ack(f) {
      const it = unqueue(f.client_id);
      retries = 0;
      if (!it) return;
      const conv = convs.get(it.conversation);
      if (!conv || typeof f.seq !== 'number') return;
      const known = conv.msgs.has(f.seq);
      if (!known) {
        conv.msgs.set(f.seq, { seq: f.seq, author: 'agent', agent: me ? me.name : '', text: it.text,
          client_id: it.client_id, created_at: new Date().toISOString() });
      }
      if (conv.id === selected) {
        const node = pendingNode(it.client_id);
        if (node) node.remove();
        if (!known) place(renderMsg(conv.msgs.get(f.seq), customerName(conv)), f.seq);
      }
      renderHeld();
    },
    survey(f) {
      const sv = cleanSurvey({ conversation: f.conversation, agent: f.agent, rating: f.rating, comment: f.comment });
      if (!sv) return;
      surveys.unshift(sv);
      surveys = surveys.slice(0, 50);
      renderSurveys();
    },
    ticket(f) {
      const tk = f.ticket;
      if (!tk || typeof tk !== 'object') return;
      if (view !== 'tickets' || document.hidden) {
        newTickets++;
        renderTicketsBadge();
      }
      if (typeof tk.number === 'number') setStatus(L.tickets.fresh(tk.number), 'info');
      loadTickets();
    },
    error(f) {
      const code = str(f.code);
      if (code === 'unknown_type') return;
      const id = str(f.client_id);
      const it = id && outbox.find((x) => x.client_id === id);
      const act = lastAct && lastAct.conversation === f.conversation ? lastAct.type : '';
      const text = L.errors[code + '_' + act] || L.errors[code] || str(f.message) || L.errors.internal;
      if (it) {
        if (code === 'rate_limited' || code === 'unavailable' || code === 'internal') {
          retryLater(it);
        } else {
          unqueue(id);
          failed.set(id, it);
          const node = it.conversation === selected && pendingNode(id);
          if (node) node.replaceWith(pendingEl(it, true));
        }
      }
      if (code === 'taken') {
        queue = queue.filter((x) => x.conversation !== f.conversation);
        renderQueue();
      }
      setStatus(text, 'error');
    },
  };

  // ---- the agent's actions ----
  el.presence.addEventListener('change', () => {
    const v = el.presence.value;
    if (!/^(online|away|offline)$/.test(v)) return;
    if (!send({ type: 'presence', status: v })) wantedPresence = v;
  });

  el.queue.addEventListener('click', (e) => {
    const b = e.target.closest('button.claim');
    const li = b && b.closest('.queue-item');
    if (!li || b.getAttribute('aria-disabled') === 'true') return;
    const id = li.dataset.conversation;
    b.setAttribute('aria-disabled', 'true');
    setTimeout(() => b.removeAttribute('aria-disabled'), 3000);
    claimed = id;
    lastAct = { type: 'claim', conversation: id };
    setStatus('');
    send({ type: 'claim', conversation: id });
  });

  el.held.addEventListener('click', (e) => {
    const li = e.target.closest('.held-item');
    if (li) select(li.dataset.conversation, true);
  });

  // Typing: on at most every 3 s while the agent types, off after 5 s idle,
  // on sending, or when leaving the conversation.
  let typingConv = null;
  let typingSentAt = 0;
  let idleTimer = 0;
  const typingOff = () => {
    clearTimeout(idleTimer);
    if (typingConv && convs.has(typingConv)) send({ type: 'typing', conversation: typingConv, on: false });
    typingConv = null;
    typingSentAt = 0;
  };
  el.reply.addEventListener('input', () => {
    const conv = selected && convs.get(selected);
    if (!conv) return;
    conv.draft = el.reply.value;
    if (!el.reply.value.trim()) { typingOff(); return; }
    if (typingConv && typingConv !== conv.id) typingOff();
    if (ready && Date.now() - typingSentAt >= 3000 && take()) {
      if (send({ type: 'typing', conversation: conv.id, on: true })) {
        typingConv = conv.id;
        typingSentAt = Date.now();
      }
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(typingOff, 5000);
  });
  el.reply.addEventListener('keydown', (e) => {
    // While canned replies are offered, Enter picks one (below).
    if (!el.cannedPick.hidden) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  el.replyForm.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  // An internal note is written in the same box; the customer never sees it.
  el.note.addEventListener('click', () => submit(true));
  const submit = (note) => {
    const conv = selected && convs.get(selected);
    const text = el.reply.value.trim();
    if (!conv || !text) return;
    if (text.length > 4000) { setStatus(L.errors.too_long, 'error'); return; }
    typingOff();
    el.reply.value = '';
    conv.draft = '';
    const it = { client_id: rid(), conversation: conv.id, text, sentAt: 0, note: note === true };
    outbox.push(it);
    place(pendingEl(it));
    el.reply.focus();
    flush();
  };

  el.transferForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = el.transferTo.value;
    if (!selected || !to) return;
    typingOff();
    lastAct = { type: 'transfer', conversation: selected };
    setStatus('');
    send({ type: 'transfer', conversation: selected, to });
  });
  el.closeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const resolution = el.resolution.value;
    if (!selected || !/^(answered|refunded|cancelled|escalated|spam)$/.test(resolution)) return;
    typingOff();
    lastAct = { type: 'close', conversation: selected };
    setStatus('');
    const article = el.answeredBy.value;
    send(article ? { type: 'close', conversation: selected, resolution, article } : { type: 'close', conversation: selected, resolution });
    el.answeredBy.value = '';
  });

  // ---- tabs: conversations and email requests ----
  const showView = (v) => {
    view = v;
    const tickets = v === 'tickets';
    const hist = v === 'history';
    el.chatView.hidden = tickets || hist;
    el.ticketsView.hidden = !tickets;
    el.historyView.hidden = !hist;
    el.chatTab.setAttribute('aria-selected', String(!tickets && !hist));
    el.ticketsTab.setAttribute('aria-selected', String(tickets));
    el.historyTab.setAttribute('aria-selected', String(hist));
    el.chatTab.tabIndex = tickets || hist ? -1 : 0;
    el.ticketsTab.tabIndex = tickets ? 0 : -1;
    el.historyTab.tabIndex = hist ? 0 : -1;
    if (hist) {
      loadHistory();
    } else if (tickets) {
      newTickets = 0;
      renderTicketsBadge();
      loadTickets();
    } else {
      const conv = selected && convs.get(selected);
      if (conv && conv.unread) { conv.unread = 0; renderHeld(); }
    }
    renderTitle();
  };
  el.chatTab.addEventListener('click', () => showView('chat'));
  el.ticketsTab.addEventListener('click', () => showView('tickets'));
  el.historyTab.addEventListener('click', () => showView('history'));
  const tabs = [el.chatTab, el.ticketsTab, el.historyTab];
  for (const tab of tabs) {
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const i = tabs.indexOf(tab);
      const other = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      other.click();
      other.focus();
    });
  }
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    if (!ws && !dead) { attempt = 0; connect(); }
    const conv = view === 'chat' && selected && convs.get(selected);
    if (conv && conv.unread) { conv.unread = 0; renderHeld(); }
  });

  // ---- email requests (tickets), over HTTP ----
  let tickets = [];
  let newTickets = 0;
  let openTicket = null; // number of the ticket shown
  let loadSeq = 0;
  const renderTicketsBadge = () => {
    el.ticketsBadge.hidden = !newTickets;
    el.ticketsBadge.textContent = newTickets ? String(newTickets) : '';
    el.ticketsBadge.title = newTickets ? L.tickets.badge(newTickets) : '';
  };
  // api fetches JSON; it rejects with the HTTP status, or 0 for the network.
  const api = (path, opts) => fetch(path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, opts)).then((res) => {
    if ((res.redirected && /\/agent\/login/.test(res.url)) || res.status === 401) {
      sessionExpired();
      return Promise.reject(401);
    }
    if (!res.ok) return Promise.reject(res.status);
    return res.json().catch(() => Promise.reject(0));
  }, () => Promise.reject(0));

  const ticketStatus = (s) => L.tickets.status[s] || str(s);
  // ---- a conversation arrives in the queue: a sound, and a desktop
  // notification when the agent allowed them and looks elsewhere ----
  let audio = null;
  const beep = () => {
    if (!el.sound.checked) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.12, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      o.connect(g).connect(audio.destination);
      o.start();
      o.stop(audio.currentTime + 0.35);
    } catch (e) { /* no sound here */ }
  };
  const notifications = 'Notification' in window;
  const renderNotify = () => {
    el.notify.hidden = !notifications || Notification.permission !== 'default';
  };
  el.notify.addEventListener('click', () => {
    Notification.requestPermission().then(renderNotify, renderNotify);
  });
  renderNotify();
  const alertArrival = (it) => {
    beep();
    if (notifications && Notification.permission === 'granted' && (document.hidden || !document.hasFocus())) {
      try {
        const n = new Notification(L.arrived, { body: str(it.question).slice(0, 140), tag: 'supportd-' + it.conversation });
        n.onclick = () => { window.focus(); n.close(); };
      } catch (e) { /* notifications refused by the browser */ }
    }
  };

  // ---- history: closed conversations, by date, agent, resolution, text ----
  let historySeq = 0;
  const loadHistory = () => {
    const n = ++historySeq;
    const p = new URLSearchParams();
    const add = (k, v) => { if (v.trim()) p.set(k, v.trim()); };
    add('q', el.historyQ.value);
    add('from', el.historyFrom.value);
    add('to', el.historyTo.value);
    add('agent', el.historyAgent.value);
    add('resolution', el.historyResolution.value);
    api('/agent/api/history?' + p.toString(), { headers: { Accept: 'application/json' } }).then((data) => {
      if (n !== historySeq) return;
      const list = (data && Array.isArray(data.history) ? data.history : []).filter((x) => x && validID(x.conversation));
      el.history.replaceChildren();
      if (!list.length) el.history.appendChild(h('li', 'muted', L.noHistory));
      for (const x of list) {
        const li = el.history.appendChild(h('li', 'history-item'));
        li.dataset.conversation = x.conversation;
        const b = li.appendChild(h('button', 'ticket-btn'));
        b.type = 'button';
        b.appendChild(h('span', 'ticket-head', fmt(x.closed_at) + ' · ' + (str(x.agent_name) || str(x.agent)) + ' · ' + (L.res[str(x.resolution)] || str(x.resolution))));
        if (x.first) b.appendChild(h('span', 'ticket-msg', str(x.first)));
        b.addEventListener('click', () => showClosed(x));
      }
    }, (status) => { if (n === historySeq && status !== 401) setStatus(L.historyFailed, 'error'); });
  };
  const showClosed = (x) => {
    api('/agent/api/history/' + encodeURIComponent(x.conversation), { headers: { Accept: 'application/json' } }).then((data) => {
      el.historyDetail.replaceChildren();
      for (const m of (data && Array.isArray(data.messages) ? data.messages : [])) {
        if (m && typeof m === 'object') el.historyDetail.appendChild(renderMsg(m, str(x.customer)));
      }
      el.historyEmpty.hidden = true;
      el.historyDetail.hidden = false;
      el.historyDetail.focus();
    }, () => setStatus(L.historyFailed, 'error'));
  };
  el.historyForm.addEventListener('submit', (e) => { e.preventDefault(); loadHistory(); });

  // ---- canned replies: shared, managed here, inserted with « / » ----
  let canned = [];
  const loadCanned = () => {
    api('/agent/api/canned', { headers: { Accept: 'application/json' } }).then((data) => {
      canned = (data && Array.isArray(data.canned) ? data.canned : []).filter((c) => c && typeof c.id === 'number' && str(c.shortcut));
      renderCanned();
    }, () => {});
  };
  const renderCanned = () => {
    el.canned.replaceChildren();
    if (!canned.length) el.canned.appendChild(h('li', 'muted', L.noCanned));
    for (const c of canned) {
      const li = el.canned.appendChild(h('li', 'canned-item'));
      li.dataset.shortcut = c.shortcut;
      li.appendChild(h('span', 'canned-shortcut', '/' + c.shortcut));
      li.appendChild(h('span', 'canned-text', str(c.text).slice(0, 80)));
      const edit = li.appendChild(h('button', 'canned-edit', L.edit));
      edit.type = 'button';
      edit.addEventListener('click', () => {
        el.cannedId.value = String(c.id);
        el.cannedShortcut.value = c.shortcut;
        el.cannedText.value = str(c.text);
        el.cannedShortcut.focus();
      });
      const del = li.appendChild(h('button', 'canned-delete', L.del));
      del.type = 'button';
      del.addEventListener('click', () => {
        api('/agent/api/canned/' + c.id, { method: 'DELETE', headers: { Accept: 'application/json', 'X-CSRF-Token': csrf } })
          .then(loadCanned, () => setStatus(L.cannedFailed, 'error'));
      });
    }
  };
  el.cannedForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { id: +el.cannedId.value || 0, shortcut: el.cannedShortcut.value.trim(), text: el.cannedText.value.trim() };
    api('/agent/api/canned', {
      method: 'POST', body: JSON.stringify(body),
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    }).then(() => {
      el.cannedId.value = '0';
      el.cannedShortcut.value = el.cannedText.value = '';
      setStatus(L.cannedSaved);
      loadCanned();
    }, () => setStatus(L.cannedFailed, 'error'));
  });
  // In the reply box, « /sho » lists the replies whose shortcut starts so;
  // Enter or Tab inserts the one chosen, the arrows choose, Escape closes.
  let pickAt = 0;
  const matches = () => {
    const m = /^\/([a-z0-9_-]*)$/i.exec(el.reply.value);
    return m ? canned.filter((c) => c.shortcut.startsWith(m[1].toLowerCase())) : [];
  };
  const renderPick = () => {
    const list = matches();
    el.cannedPick.replaceChildren();
    el.cannedPick.hidden = !list.length;
    pickAt = Math.min(pickAt, Math.max(list.length - 1, 0));
    list.forEach((c, i) => {
      const li = el.cannedPick.appendChild(h('li', 'canned-option' + (i === pickAt ? ' active' : '')));
      li.id = 'canned-opt-' + c.id;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === pickAt));
      li.append(h('strong', '', '/' + c.shortcut + ' '), h('span', 'muted', str(c.text).slice(0, 60)));
      li.addEventListener('mousedown', (e) => { e.preventDefault(); pickCanned(c); });
    });
    if (list.length) el.reply.setAttribute('aria-activedescendant', 'canned-opt-' + list[pickAt].id);
    else el.reply.removeAttribute('aria-activedescendant');
  };
  const pickCanned = (c) => {
    el.reply.value = str(c.text);
    el.cannedPick.hidden = true;
    el.reply.removeAttribute('aria-activedescendant');
    el.reply.focus();
  };
  el.reply.addEventListener('input', () => { pickAt = 0; renderPick(); });
  el.reply.addEventListener('keydown', (e) => {
    if (el.cannedPick.hidden) return;
    const list = matches();
    if (!list.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      pickAt = (pickAt + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
      renderPick();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      e.stopImmediatePropagation();
      pickCanned(list[pickAt]);
    } else if (e.key === 'Escape') {
      el.cannedPick.hidden = true;
    }
  });

  // ---- satisfaction: the customers' ratings after a close ----
  let surveys = [];
  const cleanSurvey = (x) => {
    if (!x || typeof x.rating !== 'number' || x.rating < 1 || x.rating > 5) return null;
    return { rating: x.rating, comment: str(x.comment), agent: str(x.agent_name || x.agent) };
  };
  const renderSurveys = () => {
    el.surveys.replaceChildren();
    if (!surveys.length) el.surveys.appendChild(h('li', 'muted', L.noSurveys));
    let sum = 0;
    for (const sv of surveys.slice(0, 10)) {
      const li = el.surveys.appendChild(h('li', 'survey-item'));
      li.appendChild(h('span', 'survey-rating', L.rating(sv.rating)));
      if (sv.agent) li.appendChild(h('span', 'muted', ' · ' + sv.agent));
      if (sv.comment) li.appendChild(h('p', 'survey-comment', sv.comment));
    }
    surveys.forEach((sv) => { sum += sv.rating; });
    el.surveysMean.textContent = surveys.length ? (sum / surveys.length).toFixed(1) + '/5' : '';
    el.surveysMean.title = L.meanTitle;
  };
  const loadSurveys = () => {
    api('/agent/api/surveys', { headers: { Accept: 'application/json' } }).then((data) => {
      surveys = (data && Array.isArray(data.surveys) ? data.surveys : []).map(cleanSurvey).filter(Boolean);
      renderSurveys();
    }, () => {});
  };

  const loadTickets = () => {
    const n = ++loadSeq;
    const status = el.ticketsStatus.value;
    api('/agent/api/tickets?status=' + encodeURIComponent(status), { headers: { Accept: 'application/json' } }).then((data) => {
      if (n !== loadSeq) return;
      tickets = (data && Array.isArray(data.tickets) ? data.tickets : []).filter((tk) => tk && typeof tk.number === 'number');
      renderTickets();
    }, (status) => {
      if (n === loadSeq && status !== 401) setStatus(L.tickets.loadFailed, 'error');
    });
  };
  const renderTickets = () => {
    el.tickets.replaceChildren();
    if (!tickets.length) el.tickets.appendChild(h('li', 'muted', L.tickets.none));
    for (const tk of tickets) {
      const st = str(tk.status);
      const li = el.tickets.appendChild(h('li', 'ticket-item status-' + (/^[a-z]+$/.test(st) ? st : 'other') + (tk.number === openTicket ? ' selected' : '')));
      li.dataset.number = String(tk.number);
      li.dataset.status = st;
      const b = li.appendChild(h('button', 'ticket-btn'));
      b.type = 'button';
      if (tk.number === openTicket) b.setAttribute('aria-current', 'true');
      const top = b.appendChild(h('span', 't-top'));
      top.appendChild(h('strong', 't-number', L.tickets.title(tk.number)));
      top.appendChild(h('span', 't-status', ticketStatus(st)));
      b.appendChild(h('span', 't-who', str(tk.name) || str(tk.email)));
      b.appendChild(timeEl(tk.created_at, null, 't-date'));
      b.appendChild(h('span', 't-message', excerpt(tk.message, 120)));
    }
  };
  el.ticketsStatus.addEventListener('change', loadTickets);
  el.ticketsRefresh.addEventListener('click', loadTickets);
  el.tickets.addEventListener('click', (e) => {
    const li = e.target.closest('.ticket-item');
    if (li) showTicket(+li.dataset.number);
  });

  const showTicket = (n) => {
    if (!Number.isSafeInteger(n) || n <= 0) return;
    openTicket = n;
    renderTickets();
    api('/agent/api/tickets/' + n, { headers: { Accept: 'application/json' } }).then((data) => {
      if (openTicket !== n || !data || !data.ticket) return;
      renderTicket(data.ticket, Array.isArray(data.messages) ? data.messages : []);
      el.ticketReply.focus();
    }, (status) => {
      if (status === 401) return;
      setStatus(status === 404 ? L.tickets.notFound : L.tickets.openFailed, 'error');
    });
  };
  let shownMessages = [];
  const renderTicket = (tk, messages) => {
    shownMessages = messages;
    const d = el.ticketDetail;
    d.replaceChildren();
    d.dataset.number = String(tk.number);
    d.dataset.status = str(tk.status);
    d.appendChild(h('h2', '', L.tickets.title(tk.number)));
    const info = d.appendChild(h('dl', 'identity'));
    const st = h('span', 'ticket-status status-' + str(tk.status), ticketStatus(str(tk.status)));
    dl(info, [
      [L.tickets.statusLabel, st],
      [L.tickets.received, fmt(tk.created_at)],
      [L.tickets.answeredAt, fmt(tk.answered_at) + (tk.answered_by ? ' (' + agentName(str(tk.answered_by)) + ')' : '')],
      [L.tickets.name, str(tk.name)],
      [L.tickets.email, str(tk.email)],
      [L.tickets.customer, str(tk.customer_id) || L.unverified],
      [L.language, str(tk.lang).toUpperCase()],
      [L.tickets.conversation, str(tk.conversation)],
    ]);
    d.appendChild(h('h3', '', L.tickets.message));
    d.appendChild(h('div', 'ticket-message', str(tk.message)));
    d.appendChild(h('h3', '', L.tickets.transcript));
    const tr = d.appendChild(h('div', 'transcript ticket-transcript'));
    const name = str(tk.name) || L.customer;
    const msgs = messages.map(cleanMsg).filter(Boolean).sort((a, b) => a.seq - b.seq);
    if (!msgs.length) tr.appendChild(h('p', 'muted', L.tickets.noTranscript));
    for (const m of msgs) tr.appendChild(renderMsg(m, name));
    el.ticketEmpty.hidden = true;
    d.hidden = false;
    el.ticketForm.hidden = false;
  };

  el.ticketForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = openTicket;
    const text = el.ticketReply.value.trim();
    if (!n || el.ticketSend.disabled) return;
    if (!text || text.length > 10000) { setStatus(L.tickets.invalid, 'error'); return; }
    el.ticketSend.disabled = true;
    api('/agent/api/tickets/' + n + '/reply', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ text }),
    }).then((data) => {
      el.ticketSend.disabled = false;
      const tk = Object.assign({}, tickets.find((x) => x.number === n), data && data.ticket, { number: n });
      if (tk.status !== 'closed') tk.status = 'answered';
      const i = tickets.findIndex((x) => x.number === n);
      if (i >= 0) tickets[i] = tk; else tickets.unshift(tk);
      renderTickets();
      if (openTicket === n) {
        el.ticketReply.value = '';
        renderTicket(tk, shownMessages);
      }
      setStatus(L.tickets.sent(n), 'info');
    }, (status) => {
      el.ticketSend.disabled = false;
      if (status === 401) return;
      setStatus(status === 403 ? L.tickets.forbidden : status === 404 ? L.tickets.notFound
        : status === 400 || status === 413 ? L.tickets.invalid : L.tickets.sendFailed, 'error');
    });
  });

  // ---- start ----
  document.body.dataset.ws = 'closed';
  renderAll();
  renderTicketsBadge();
  connect();
})();
