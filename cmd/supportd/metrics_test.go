package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads the metrics at url with a real Prometheus text parser.
func scrape(t *testing.T, url, token string) (map[string]*dto.MetricFamily, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, resp.StatusCode
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the metrics: %v", err)
	}
	return families, 200
}

// TestMetrics: /metrics on the chat's address is for the bearer of
// SUPPORTD_METRICS_TOKEN only; what it says follows a customer's
// question; --metrics-addr serves it alone, without a token.
func TestMetrics(t *testing.T) {
	const token = "metrics-token-for-tests"
	t.Setenv("SUPPORTD_METRICS_TOKEN", token)
	metricsAddr := freeAddr(t)
	srv := startServer(t, t.TempDir(), "--metrics-addr", metricsAddr)
	url := "http://" + srv.addr + "/metrics"
	for _, bad := range []string{"", "wrong"} {
		if _, status := scrape(t, url, bad); status != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", bad, status)
		}
	}

	ws, err := srv.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "hello", "v": 2})
	ws.WriteJSON(map[string]any{"type": "message", "client_id": "m_metrics01", "text": "Comment suivre mon colis ?"})
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatal(err)
		}
		if f["type"] == "message" && f["author"] == "bot" {
			break
		}
	}

	families, status := scrape(t, url, token)
	if status != 200 {
		t.Fatalf("with the token: %d", status)
	}
	answers := families["supportd_answer_seconds"]
	if answers == nil || answers.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("no answer histogram: %v", answers)
	}
	routes := map[string]uint64{}
	for _, m := range answers.Metric {
		routes[m.Label[0].GetValue()] += m.Histogram.GetSampleCount()
	}
	if routes["faq"] != 1 {
		t.Errorf("answers by route %v, want one faq", routes)
	}
	value := func(name, label string) float64 {
		f := families[name]
		if f == nil {
			t.Errorf("no %s", name)
			return -1
		}
		for _, m := range f.Metric {
			if label != "" && (len(m.Label) == 0 || m.Label[0].GetValue() != label) {
				continue
			}
			switch {
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Counter != nil:
				return m.Counter.GetValue()
			}
		}
		return -1
	}
	if v := value("supportd_connections", "customer"); v != 1 {
		t.Errorf("customer connections %v", v)
	}
	if v := value("supportd_frames_received_total", ""); v < 2 {
		t.Errorf("frames received %v", v)
	}
	if v := value("supportd_messages_sent_total", ""); v < 2 {
		t.Errorf("messages sent %v", v)
	}
	if v := value("supportd_kb_articles", ""); v < 10 {
		t.Errorf("articles %v", v)
	}
	if v := value("supportd_kb_reloads_total", ""); v != 1 {
		t.Errorf("reloads %v", v)
	}
	for _, name := range []string{"supportd_queue_length", "supportd_agents_online", "supportd_outbox_backlog", "go_goroutines", "process_resident_memory_bytes"} {
		if value(name, "") < 0 {
			t.Errorf("%s missing or negative", name)
		}
	}
	if families["supportd_llm_calls_total"] != nil {
		t.Error("language-model metrics without a model")
	}

	// On its own address, no token is asked.
	if families, status := scrape(t, "http://"+metricsAddr+"/metrics", ""); status != 200 || families["supportd_answer_seconds"] == nil {
		t.Errorf("--metrics-addr: %d", status)
	}
}

// TestJSONLogs: --log-format json writes one JSON object a line.
func TestJSONLogs(t *testing.T) {
	var buf bytes.Buffer
	logger, err := newLogger(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("store open", "store", "postgresql")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "store open" || line["store"] != "postgresql" || line["level"] != "INFO" {
		t.Errorf("log line %q: %v", buf.String(), err)
	}
	if _, err := newLogger(&buf, "info", "xml"); err == nil || !strings.Contains(err.Error(), "json") {
		t.Errorf("log format xml: %v", err)
	}
}
