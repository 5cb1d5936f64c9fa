package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDirectStreamFromTheFake(t *testing.T) {
	fake := newFakeOllama("m", 5, time.Millisecond)
	server := httptest.NewServer(fake)
	defer server.Close()

	exp := expectations{tokens: 5, model: "m"}
	results, _ := runStreams(newClient(3), directTarget(server.URL, exp), 3, 0, 5*time.Second)
	for i, r := range results {
		if !r.ok || r.tokens != 5 || r.ttft < 0 || r.duration < 4*time.Millisecond {
			t.Fatalf("stream %d: %+v", i, r)
		}
	}
	if got := fake.stats.snapshot(); got.ChatRequests != 3 || got.ChatCompleted != 3 || got.ActiveStreams != 0 {
		t.Fatalf("fake counters: %+v", got)
	}
}

// sse serves a canned event stream shaped like the service's.
func sse(tokens int, skip int, tail string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		var b strings.Builder
		b.WriteString(": keep-alive\n\n")
		for i := 0; i < tokens; i++ {
			if i == skip {
				continue
			}
			fmt.Fprintf(&b, "event: token\ndata: {\"text\":\"%s\"}\n\n", tokenText(i))
		}
		b.WriteString(tail)
		_, _ = w.Write([]byte(b.String()))
	}
}

func TestServiceStreamChecks(t *testing.T) {
	done := "event: done\ndata: {\"conversationId\":\"c\",\"timeToFirstTokenMs\":7,\"warnings\":[]}\n\n"
	cases := []struct {
		name    string
		handler http.HandlerFunc
		reason  string
	}{
		{"complete", sse(4, -1, done), ""},
		{"missing token", sse(4, 2, done), "unexpected token event (token 2)"},
		{"no done", sse(4, -1, ""), "stream ended before done"},
		{"error event", sse(4, -1, "event: error\ndata: {\"status\":502,\"title\":\"Ollama failed\"}\n\n"),
			"error event 502 Ollama failed"},
		{"problem", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(503)
			_, _ = w.Write([]byte(`{"type":"urn:ollama-chat:problem:ollama-unreachable","status":503}`))
		}, "HTTP 503 urn:ollama-chat:problem:ollama-unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			server := httptest.NewServer(c.handler)
			defer server.Close()
			r := oneStream(context.Background(), newClient(1), serviceTarget(server.URL, expectations{tokens: 4, model: "m"}),
				5*time.Second)
			if r.reason != c.reason || r.ok != (c.reason == "") {
				t.Fatalf("got ok=%v reason %q, want %q", r.ok, r.reason, c.reason)
			}
			if r.ok && r.serverTTFTms != 7 {
				t.Fatalf("server TTFT %v", r.serverTTFTms)
			}
		})
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	values := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if pct(values, 50) != 5 || pct(values, 99) != 10 || pct(values, 100) != 10 || pct(values, 1) != 1 {
		t.Fatal("nearest-rank percentiles are off")
	}
}
