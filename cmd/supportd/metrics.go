package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/mail"
	"github.com/supportd/supportd/store"
)

// Operators scrape /metrics (the Prometheus text format, through
// github.com/prometheus/client_golang). It is served only when asked
// for, and never to anyone: on the chat's address with the bearer token
// of SUPPORTD_METRICS_TOKEN, or on an address of its own (--metrics-addr,
// for a private network) without one.
//
// The figures are read from the packages' own counters when scraped
// (chat.Service.Stats, assistant.Service.LLMStats, kb.Base.Reloads,
// mail.Outbox.Stats), so that serving them costs the chat nothing but
// the answer latency histogram, one observation an answer.

// answerBuckets are the bounds of the answer latency histogram, in
// seconds: from a millisecond to the language model's timeout.
var answerBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// answerHistogram is the chat's AnswerObserver.
type answerHistogram struct{ h *prometheus.HistogramVec }

func (a answerHistogram) ObserveAnswer(route string, took time.Duration) {
	a.h.WithLabelValues(route).Observe(took.Seconds())
}

// serveMetrics is what the metrics are read from; a nil field reports
// nothing.
type serveMetrics struct {
	chat      *chat.Service
	assistant *assistant.Service
	kb        *kb.Base
	outbox    *mail.Outbox
	emails    store.Outbox
	llm       bool
}

// newMetrics returns the registry of supportd's metrics and the chat's
// answer observer; the sources are read at each scrape through src,
// which the caller fills once they exist.
func newMetrics(src *serveMetrics) (*prometheus.Registry, chat.AnswerObserver) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	answers := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "supportd_answer_seconds",
		Help:    "Time from a customer's message to the bot's answer stored and pushed, by route (faq, order, handoff, smalltalk, fallback).",
		Buckets: answerBuckets,
	}, []string{"route"})
	reg.MustRegister(answers)
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	reg.MustRegister(chatCollector{src})

	gauge("supportd_kb_articles", "Articles in the knowledge base's index.", func() float64 {
		if src.kb == nil {
			return 0
		}
		return float64(src.kb.Len())
	})
	counter("supportd_kb_reloads_total", "Indexes of the knowledge base built, the first included.", func() float64 {
		if src.kb == nil {
			return 0
		}
		return float64(src.kb.Reloads())
	})
	counter("supportd_kb_reload_errors_total", "Reloads of the knowledge base that failed (the previous index stayed).", func() float64 {
		if src.kb == nil {
			return 0
		}
		return float64(src.kb.ReloadErrors())
	})

	outbox := func(f func(mail.OutboxStats) int64) func() float64 {
		return func() float64 {
			if src.outbox == nil {
				return 0
			}
			return float64(f(src.outbox.Stats()))
		}
	}
	counter("supportd_outbox_sent_total", "Emails sent.", outbox(func(s mail.OutboxStats) int64 { return s.Sent }))
	counter("supportd_outbox_send_failures_total", "Attempts to send an email that failed (each is retried).", outbox(func(s mail.OutboxStats) int64 { return s.Failed }))
	gauge("supportd_outbox_backlog", "Emails not sent yet (at most 10,000 counted).", func() float64 {
		if src.emails == nil {
			return 0
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		due, err := src.emails.DueEmails(ctx, time.Now().AddDate(100, 0, 0), 10000)
		if err != nil {
			return -1
		}
		return float64(len(due))
	})

	if src.llm {
		llm := func(f func(assistant.LLMStats) float64) func() float64 {
			return func() float64 {
				if src.assistant == nil {
					return 0
				}
				return f(src.assistant.LLMStats())
			}
		}
		counter("supportd_llm_calls_total", "Answers asked of the language model.", llm(func(s assistant.LLMStats) float64 { return float64(s.Calls) }))
		counter("supportd_llm_answered_total", "Answers of the model given to customers.", llm(func(s assistant.LLMStats) float64 { return float64(s.Answered) }))
		counter("supportd_llm_discarded_total", "Answers of the model that did not hold or said the question was not covered.", llm(func(s assistant.LLMStats) float64 { return float64(s.Discarded) }))
		counter("supportd_llm_errors_total", "Calls of the model that failed: error, timeout, malformed reply.", llm(func(s assistant.LLMStats) float64 { return float64(s.Failed) }))
		counter("supportd_llm_prompt_tokens_total", "Prompt tokens the model's server reported.", llm(func(s assistant.LLMStats) float64 { return float64(s.PromptTokens) }))
		counter("supportd_llm_completion_tokens_total", "Completion tokens the model's server reported.", llm(func(s assistant.LLMStats) float64 { return float64(s.CompletionTokens) }))
		counter("supportd_llm_seconds_total", "Time of the model's calls that replied; divided by calls less errors, the mean latency.", llm(func(s assistant.LLMStats) float64 { return s.Latency.Seconds() }))
		counter("supportd_llm_first_token_seconds_total", "Time to the first piece of the model's answers, summed.", llm(func(s assistant.LLMStats) float64 { return s.FirstToken.Seconds() }))
	}
	return reg, answerHistogram{answers}
}

// chat's metrics, read from one chat.Stats a scrape (it takes the desk's
// lock once).
var (
	connectionsDesc  = prometheus.NewDesc("supportd_connections", "Sockets open.", []string{"kind"}, nil)
	framesInDesc     = prometheus.NewDesc("supportd_frames_received_total", "Frames received from widgets and consoles and accepted.", nil, nil)
	messagesOutDesc  = prometheus.NewDesc("supportd_messages_sent_total", "Messages pushed to sockets, one per socket.", nil, nil)
	queueLengthDesc  = prometheus.NewDesc("supportd_queue_length", "Conversations waiting for an agent.", nil, nil)
	queueWaitDesc    = prometheus.NewDesc("supportd_queue_oldest_wait_seconds", "How long the first conversation of the queue has waited.", nil, nil)
	agentsOnlineDesc = prometheus.NewDesc("supportd_agents_online", "Agents online.", nil, nil)
)

// chatCollector collects the chat's metrics.
type chatCollector struct{ src *serveMetrics }

func (chatCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{connectionsDesc, framesInDesc, messagesOutDesc, queueLengthDesc, queueWaitDesc, agentsOnlineDesc} {
		ch <- d
	}
}

func (c chatCollector) Collect(ch chan<- prometheus.Metric) {
	var st chat.Stats
	if c.src.chat != nil {
		st = c.src.chat.Stats()
	}
	ch <- prometheus.MustNewConstMetric(connectionsDesc, prometheus.GaugeValue, float64(st.Customers), "customer")
	ch <- prometheus.MustNewConstMetric(connectionsDesc, prometheus.GaugeValue, float64(st.Agents), "agent")
	ch <- prometheus.MustNewConstMetric(framesInDesc, prometheus.CounterValue, float64(st.FramesIn))
	ch <- prometheus.MustNewConstMetric(messagesOutDesc, prometheus.CounterValue, float64(st.MessagesOut))
	ch <- prometheus.MustNewConstMetric(queueLengthDesc, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(queueWaitDesc, prometheus.GaugeValue, st.OldestWait.Seconds())
	ch <- prometheus.MustNewConstMetric(agentsOnlineDesc, prometheus.GaugeValue, float64(st.AgentsOnline))
}

// metricsHandler serves the registry at /metrics, to a bearer of token
// when token is not empty.
func metricsHandler(reg *prometheus.Registry, token string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	var h http.Handler = mux
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="supportd metrics"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withMetrics serves /metrics on the chat's address, to the bearer of
// token, in front of next; without a token, next alone.
func withMetrics(next http.Handler, reg *prometheus.Registry, token string) http.Handler {
	if token == "" {
		return next
	}
	metrics := metricsHandler(reg, token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newLogger returns the logger of --log-level and --log-format.
func newLogger(w interface{ Write([]byte) (int, error) }, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, errors.New("log level " + level + ": use debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errors.New("log format " + format + ": use text or json")
}
