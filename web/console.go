package web

import (
	"html/template"
	"net/http"

	"github.com/supportd/supportd/store"
)

// consoleText holds the fixed texts of the agent console page; the texts
// console.js writes itself are in its own table.
type consoleText struct {
	Title, Hello, Logout, Presence, Online, Away, Offline, Connection, Connecting string
	Queue, Held, HeldEmpty, Agents, Conversations, Tickets, Satisfaction          string
	Sound, Notify, Note, NoteHint                                                 string
	Canned, Shortcut, CannedText, CannedSave                                      string
	History, HistorySearch, HistoryFrom, HistoryTo, HistoryAgent, HistoryAny      string
	HistoryButton, HistoryNone, AdminLink, EditorsLink                            string
	NoConversation, Transcript, Reply, ReplyHint, Send                            string
	Customer, Orders, Articles, Transfer, TransferTo, TransferButton              string
	Close, Resolution, CloseButton, AnsweredBy, NoArticle                         string
	Answered, Refunded, Cancelled, Escalated, Spam                                string
	TicketFilter, TicketsOpen, TicketsAnswered, TicketsAll, TicketsRefresh        string
	NoTicket, TicketReply, TicketSend, NoScript                                   string
}

var consoleTexts = map[string]consoleText{
	"fr": {Title: "Console des conseillers", Hello: "Connecté en tant que", Logout: "Se déconnecter",
		Presence: "Statut", Online: "En ligne", Away: "Absent", Offline: "Hors ligne",
		Connection: "Connexion", Connecting: "Connexion…",
		Queue: "File d'attente", Held: "Mes conversations", HeldEmpty: "Aucune conversation en cours.",
		Agents: "Conseillers", Conversations: "Conversations", Tickets: "Demandes par email", Satisfaction: "Satisfaction",
		Sound: "Son à l'arrivée d'une conversation", Notify: "Activer les notifications",
		Note: "Note interne", NoteHint: "Ajouter ce texte comme note interne : le client ne la voit pas",
		Canned: "Réponses types", Shortcut: "Raccourci", CannedText: "Texte", CannedSave: "Enregistrer la réponse type",
		AdminLink: "Administration", EditorsLink: "Éditeurs",
		History: "Historique", HistorySearch: "Texte des messages", HistoryFrom: "Du", HistoryTo: "Au", HistoryAgent: "Conseiller (identifiant)",
		HistoryAny: "Toutes", HistoryButton: "Rechercher", HistoryNone: "Choisissez une conversation close pour la relire.",
		NoConversation: "Choisissez une conversation, ou prenez-en une dans la file d'attente.",
		Transcript:     "Messages de la conversation", Reply: "Votre réponse",
		ReplyHint: "Entrée pour envoyer, Maj+Entrée pour aller à la ligne, « / » pour une réponse type.", Send: "Envoyer",
		Customer: "Client", Orders: "Commandes", Articles: "Articles montrés par l'assistant",
		Transfer: "Transférer", TransferTo: "Transférer à", TransferButton: "Transférer",
		Close: "Clôturer", Resolution: "Résolution", CloseButton: "Clôturer", AnsweredBy: "Article qui a répondu", NoArticle: "Aucun",
		Answered: "Répondu", Refunded: "Remboursé", Cancelled: "Annulé", Escalated: "Escaladé", Spam: "Spam",
		TicketFilter: "Afficher", TicketsOpen: "Ouvertes", TicketsAnswered: "Répondues", TicketsAll: "Toutes",
		TicketsRefresh: "Actualiser", NoTicket: "Choisissez une demande.",
		TicketReply: "Réponse par email", TicketSend: "Envoyer la réponse",
		NoScript: "La console a besoin de JavaScript."},
	"en": {Title: "Agent console", Hello: "Logged in as", Logout: "Log out",
		Presence: "Status", Online: "Online", Away: "Away", Offline: "Offline",
		Connection: "Connection", Connecting: "Connecting…",
		Queue: "Queue", Held: "My conversations", HeldEmpty: "No conversation in progress.",
		Agents: "Agents", Conversations: "Conversations", Tickets: "Email requests", Satisfaction: "Satisfaction",
		Sound: "Sound when a conversation arrives", Notify: "Turn on notifications",
		Note: "Internal note", NoteHint: "Add this text as an internal note: the customer does not see it",
		Canned: "Canned replies", Shortcut: "Shortcut", CannedText: "Text", CannedSave: "Save the canned reply",
		AdminLink: "Administration", EditorsLink: "Editors",
		History: "History", HistorySearch: "Text of the messages", HistoryFrom: "From", HistoryTo: "To", HistoryAgent: "Agent (login)",
		HistoryAny: "Any", HistoryButton: "Search", HistoryNone: "Pick a closed conversation to read it again.",
		NoConversation: "Pick a conversation, or take one from the queue.",
		Transcript:     "Conversation messages", Reply: "Your reply",
		ReplyHint: "Enter to send, Shift+Enter for a new line, \"/\" for a canned reply.", Send: "Send",
		Customer: "Customer", Orders: "Orders", Articles: "Articles shown by the assistant",
		Transfer: "Transfer", TransferTo: "Transfer to", TransferButton: "Transfer",
		Close: "Close", Resolution: "Resolution", CloseButton: "Close", AnsweredBy: "Article that answered", NoArticle: "None",
		Answered: "Answered", Refunded: "Refunded", Cancelled: "Cancelled", Escalated: "Escalated", Spam: "Spam",
		TicketFilter: "Show", TicketsOpen: "Open", TicketsAnswered: "Answered", TicketsAll: "All",
		TicketsRefresh: "Refresh", NoTicket: "Pick a request.",
		TicketReply: "Reply by email", TicketSend: "Send the reply",
		NoScript: "The console needs JavaScript."},
}

// consoleTemplate is the console's page: its frame and fixed texts.
// console.js fills it from the websocket /agent/ws (docs/agent-protocol.md).
// The page's CSP allows no inline script.
var consoleTemplate = template.Must(template.New("console").Parse(`{{define "resolutions"}}<option value="answered">{{.T.Answered}}</option>
<option value="refunded">{{.T.Refunded}}</option>
<option value="cancelled">{{.T.Cancelled}}</option>
<option value="escalated">{{.T.Escalated}}</option>
<option value="spam">{{.T.Spam}}</option>{{end}}<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{.CSRF}}">
<title>{{.T.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body data-ws="closed">
<header class="top">
<h1>{{.T.Title}}</h1>
<p class="who">{{.T.Hello}} {{.Name}}</p>
<div class="presence">
<label for="presence">{{.T.Presence}}</label>
<select id="presence" disabled>
<option value="online">{{.T.Online}}</option>
<option value="away">{{.T.Away}}</option>
<option value="offline" selected>{{.T.Offline}}</option>
</select>
</div>
<div class="alerts">
<input type="checkbox" id="sound" checked>
<label for="sound">{{.T.Sound}}</label>
<button type="button" id="notify" hidden>{{.T.Notify}}</button>
</div>
<p id="conn" class="conn" title="{{.T.Connection}}">{{.T.Connecting}}</p>
{{if .Admin}}<a href="/agent/admin" class="admin-link">{{.T.AdminLink}}</a>{{end}}
{{if .Editor}}<a href="/agent/editors" class="admin-link editors-link">{{.T.EditorsLink}}</a>{{end}}
<form method="post" action="/agent/logout" class="logout">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit">{{.T.Logout}}</button>
</form>
</header>
<p id="status-line" class="status-line" role="status" aria-live="polite"></p>
<noscript><p class="status-line">{{.T.NoScript}}</p></noscript>
<div class="layout">
<nav class="side" aria-label="{{.T.Conversations}}">
<section class="box" aria-labelledby="queue-title">
<h2 id="queue-title">{{.T.Queue}} <span id="queue-count" class="count" aria-live="polite">0</span></h2>
<ul id="queue" class="list"></ul>
</section>
<section class="box" aria-labelledby="held-title">
<h2 id="held-title">{{.T.Held}} <span id="load" class="count"></span></h2>
<ul id="held" class="list"></ul>
<p id="held-empty" class="muted">{{.T.HeldEmpty}}</p>
</section>
<section class="box" aria-labelledby="agents-title">
<h2 id="agents-title">{{.T.Agents}}</h2>
<ul id="agents" class="list"></ul>
</section>
<section class="box" aria-labelledby="canned-title">
<h2 id="canned-title">{{.T.Canned}}</h2>
<ul id="canned" class="list canned"></ul>
<form id="canned-form" class="canned-form">
<input type="hidden" id="canned-id" value="0">
<label for="canned-shortcut">{{.T.Shortcut}}</label>
<input id="canned-shortcut" maxlength="32" pattern="/?[a-zA-Z0-9_\-]{1,32}" required>
<label for="canned-text">{{.T.CannedText}}</label>
<textarea id="canned-text" rows="3" maxlength="4000" required></textarea>
<button type="submit" id="canned-save">{{.T.CannedSave}}</button>
</form>
</section>
<section class="box" aria-labelledby="surveys-title">
<h2 id="surveys-title">{{.T.Satisfaction}} <span id="surveys-mean" class="count"></span></h2>
<ul id="surveys" class="list surveys" aria-live="polite"></ul>
</section>
</nav>
<main class="main">
<div class="tabs" role="tablist">
<button type="button" role="tab" id="chat-tab" aria-controls="chat-view" aria-selected="true">{{.T.Conversations}}<span id="chat-badge" class="badge" hidden></span></button>
<button type="button" role="tab" id="tickets-tab" aria-controls="tickets-view" aria-selected="false" tabindex="-1">{{.T.Tickets}}<span id="tickets-badge" class="badge" hidden></span></button>
<button type="button" role="tab" id="history-tab" aria-controls="history-view" aria-selected="false" tabindex="-1">{{.T.History}}</button>
</div>
<section id="chat-view" class="view chat-view" role="tabpanel" aria-labelledby="chat-tab">
<div class="conversation">
<h2 id="conv-title" class="conv-title">{{.T.NoConversation}}</h2>
<div id="transcript" class="transcript" role="log" aria-label="{{.T.Transcript}}" tabindex="0"></div>
<p id="typing" class="typing" aria-live="polite"></p>
<form id="reply-form" class="reply-form">
<label for="reply" class="sr">{{.T.Reply}}</label>
<textarea id="reply" rows="3" maxlength="4000" aria-describedby="reply-hint" aria-controls="canned-pick" aria-autocomplete="list" disabled></textarea>
<ul id="canned-pick" class="canned-pick" role="listbox" aria-label="{{.T.Canned}}" hidden></ul>
<button type="submit" id="send" disabled>{{.T.Send}}</button>
<button type="button" id="note" disabled title="{{.T.NoteHint}}">{{.T.Note}}</button>
<p id="reply-hint" class="hint">{{.T.ReplyHint}}</p>
</form>
</div>
<aside id="customer-panel" class="panel" aria-label="{{.T.Customer}}" hidden>
<section class="box">
<h2>{{.T.Customer}}</h2>
<dl id="identity" class="identity"></dl>
</section>
<section class="box">
<h2>{{.T.Orders}}</h2>
<ul id="orders" class="list orders"></ul>
</section>
<section class="box">
<h2>{{.T.Articles}}</h2>
<ul id="articles" class="list articles"></ul>
</section>
<section class="box">
<h2>{{.T.Transfer}}</h2>
<form id="transfer-form" class="row">
<label for="transfer-to" class="sr">{{.T.TransferTo}}</label>
<select id="transfer-to"></select>
<button type="submit" id="transfer">{{.T.TransferButton}}</button>
</form>
</section>
<section class="box">
<h2>{{.T.Close}}</h2>
<form id="close-form" class="row">
<label for="resolution" class="sr">{{.T.Resolution}}</label>
<select id="resolution">
{{template "resolutions" .}}
</select>
<label for="answered-by" class="sr">{{.T.AnsweredBy}}</label>
<select id="answered-by" title="{{.T.AnsweredBy}}">
<option value="">{{.T.AnsweredBy}} : {{.T.NoArticle}}</option>
</select>
<button type="submit" id="close">{{.T.CloseButton}}</button>
</form>
</section>
</aside>
</section>
<section id="tickets-view" class="view tickets-view" role="tabpanel" aria-labelledby="tickets-tab" hidden>
<div class="ticket-list">
<div class="row">
<label for="tickets-status">{{.T.TicketFilter}}</label>
<select id="tickets-status">
<option value="open" selected>{{.T.TicketsOpen}}</option>
<option value="answered">{{.T.TicketsAnswered}}</option>
<option value="">{{.T.TicketsAll}}</option>
</select>
<button type="button" id="tickets-refresh">{{.T.TicketsRefresh}}</button>
</div>
<ul id="tickets" class="list"></ul>
</div>
<div id="ticket" class="ticket">
<p id="ticket-empty" class="muted">{{.T.NoTicket}}</p>
<div id="ticket-detail" hidden></div>
<form id="ticket-form" class="ticket-form" hidden>
<label for="ticket-reply">{{.T.TicketReply}}</label>
<textarea id="ticket-reply" rows="6" maxlength="10000" required></textarea>
<button type="submit" id="ticket-send">{{.T.TicketSend}}</button>
</form>
</div>
</section>
<section id="history-view" class="view tickets-view" role="tabpanel" aria-labelledby="history-tab" hidden>
<div class="ticket-list">
<form id="history-form" class="history-form">
<label for="history-q">{{.T.HistorySearch}}</label>
<input id="history-q" type="search" maxlength="200">
<label for="history-from">{{.T.HistoryFrom}}</label>
<input id="history-from" type="date">
<label for="history-to">{{.T.HistoryTo}}</label>
<input id="history-to" type="date">
<label for="history-agent">{{.T.HistoryAgent}}</label>
<input id="history-agent" maxlength="64">
<label for="history-resolution">{{.T.Resolution}}</label>
<select id="history-resolution">
<option value="">{{.T.HistoryAny}}</option>
{{template "resolutions" .}}
</select>
<button type="submit" id="history-search">{{.T.HistoryButton}}</button>
</form>
<ul id="history" class="list"></ul>
</div>
<div class="ticket">
<p id="history-empty" class="muted">{{.T.HistoryNone}}</p>
<div id="history-detail" class="transcript" role="log" aria-label="{{.T.Transcript}}" tabindex="0" hidden></div>
</div>
</section>
</main>
</div>
</body>
</html>
`))

type consolePageData struct {
	Lang, Name, CSRF string
	Admin            bool
	Editor           bool
	T                consoleText
}

// consolePage serves the live console of the logged-in agent.
func (h *Handler) consolePage(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	a, ok := h.sessionAgent(w, r)
	if !ok {
		return
	}
	name := a.Name
	if name == "" {
		name = a.Login
	}
	lang := pageLang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := consoleTemplate.Execute(w, consolePageData{Lang: lang, Name: name, CSRF: s.CSRF, Admin: a.Role == store.RoleAdmin, Editor: mayEdit(a) && h.cfg.Reports != nil, T: consoleTexts[lang]}); err != nil {
		h.cfg.Logger.Error("web: agent console", "err", err)
	}
}
