package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFakeAnswersANonStreamedChatWithOneObject(t *testing.T) {
	server := httptest.NewServer(newFakeOllama("bench-model", 5, time.Millisecond))
	defer server.Close()

	resp, err := http.Post(server.URL+"/api/chat", "application/json",
		strings.NewReader(`{"model":"bench-model","messages":[{"role":"user","content":"hi"}],"stream": false}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	want := `{"model":"bench-model","created_at":"2025-11-20T10:15:03.127554Z","message":{"role":"assistant",` +
		`"content":"Hello there."},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":3}`
	if resp.StatusCode != 200 || string(raw) != want || !strings.HasPrefix(resp.Header.Get("Content-Type"),
		"application/json") {
		t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if !wantsStream([]byte(`{"model":"m"}`)) || !wantsStream([]byte(`{"stream":true}`)) ||
		wantsStream([]byte(`{"messages":[],"stream":false}`)) {
		t.Fatal("wantsStream: Ollama streams unless \"stream\" is false")
	}
}

// pb builds a length-delimited protobuf field.
func pb(field int, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := []byte{byte(field<<3 | 2)}
	for n := len(body); ; n >>= 7 {
		if n < 0x80 {
			out = append(out, byte(n))
			break
		}
		out = append(out, byte(n&0x7f|0x80))
	}
	return append(out, body...)
}

// span is a ScopeSpans.spans field: ids, name, kind (varint), start time (fixed64) and one attribute.
func span(name string) []byte {
	return pb(2, pb(1, make([]byte, 16)), pb(2, make([]byte, 8)), pb(5, []byte(name)),
		[]byte{6<<3 | 0, 2}, []byte{7<<3 | 1, 1, 2, 3, 4, 5, 6, 7, 8}, pb(9, pb(1, []byte("k")), pb(2, pb(1, []byte("v")))))
}

func TestReceiverCountsSpansByName(t *testing.T) {
	long := strings.Repeat("x", 300) // a name whose length takes a two-byte varint
	export := bytes.Join([][]byte{
		pb(1, pb(1, pb(1, []byte("resource"))), pb(2, pb(1, []byte("scope")), span("chat"), span("POST")),
			pb(2, span("chat"))),
		pb(1, pb(2, span(long))),
	}, nil)
	stats := &otlpStats{names: map[string]spanTally{}}
	server := httptest.NewServer(stats)
	defer server.Close()

	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(export)
	_ = zw.Close()
	for _, body := range [][]byte{export, zipped.Bytes()} {
		req, _ := http.NewRequest(http.MethodPost, server.URL+"/v1/traces", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if body[0] == 0x1f {
			req.Header.Set("Content-Encoding", "gzip")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("export: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Post(server.URL+"/off/v1/traces", "application/x-protobuf", bytes.NewReader(export))
	resp.Body.Close()

	got := stats.snapshot()
	if got.Exports != 2 || got.Spans != 8 || got.BadBodies != 0 || got.StrayExports != 1 ||
		got.Names["chat"].Count != 4 || got.Names["POST"].Count != 2 || got.Names[long].Count != 2 ||
		got.Names["chat"].Attributes != 4 || got.Names["chat"].Bytes != 4*int64(len(span("chat"))-2) {
		t.Fatalf("counters: %+v", got)
	}
	if _, err := countSpans([]byte{0x0a, 0x05, 0x01}, map[string]spanTally{}); err == nil {
		t.Fatal("a truncated message must not decode")
	}
}

func TestBlocksAlternateAndCountChats(t *testing.T) {
	handler := func(trace string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"conversationId":"c","reply":"Hello there."`+trace+`}`)
		}
	}
	offServer, onServer := httptest.NewServer(handler("")), httptest.NewServer(handler(`,"traceId":"ab"`))
	defer offServer.Close()
	defer onServer.Close()
	off, on := newApp("off", offServer.URL, 0), newApp("on", onServer.URL, 0)

	p := runInterleaved("t", off, on, []byte(`{"message":"hi"}`), 25, 10, 2, 5*time.Second,
		time.Now().Add(time.Minute))
	var modes []string
	for _, b := range p.blocks {
		modes = append(modes, b.mode)
	}
	if strings.Join(modes, " ") != "off on on off off on" {
		t.Fatalf("block order: %v", modes)
	}
	if s := p.stats("on"); s.n != 25 || off.chats.Load() != 25 || on.traced.Load() != 25 || off.traced.Load() != 0 {
		t.Fatalf("on %+v; off chats %d", s, off.chats.Load())
	}
	if off.dials.Load() != 2 || on.dials.Load() != 2 {
		t.Fatalf("keep-alive: %d and %d connections for 2 clients", off.dials.Load(), on.dials.Load())
	}
	if len(p.pairedP50Diffs()) != 3 {
		t.Fatal("one p50 difference per pair of blocks")
	}
}

func TestBootstrapIntervalOfAShift(t *testing.T) {
	var p phaseResult
	for i := 0; i < 10; i++ {
		off, on := block{mode: "off"}, block{mode: "on"}
		for j := 0; j < 50; j++ {
			v := 1 + float64((i*7+j*13)%20)/10 // 1.0 .. 2.9 ms
			off.latencies, on.latencies = append(off.latencies, v), append(on.latencies, v+0.5)
		}
		if i%2 == 1 {
			p.blocks = append(p.blocks, on, off)
		} else {
			p.blocks = append(p.blocks, off, on)
		}
	}
	iv := p.bootstrapP50Diff(200)
	if iv.lo < 0.3 || iv.hi > 0.7 || iv.lo > iv.hi || iv.loPct <= 0 {
		t.Fatalf("a 0.5 ms shift: %+v", iv)
	}
	if verdict(0.5, iv.lo, iv.hi, 0.2) != "MISSED" || verdict(0.1, 0.05, 0.15, 0.2) != "met" ||
		!strings.HasPrefix(verdict(0.1, -0.1, 0.3, 0.2), "met (not certain") {
		t.Fatal("verdicts")
	}
}
