package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// The fake answers every streaming chat with the same script: token 0 at once, one more token per interval, then
// the done line one interval after the last token. All lines are built once at start-up, so a stream costs a
// goroutine, a ticker and one write per line. A chat sent with "stream":false (the service's POST /api/chat) gets
// one JSON object at once, also built at start-up.

const fakeCreatedAt = "2025-01-01T00:00:00.000000000Z"

// tokenText is the content of the i-th token; the load generator checks what it receives against it.
func tokenText(i int) string {
	return "w" + strconv.Itoa(i) + " "
}

// ndjsonTokenLine is the i-th NDJSON line of a streamed chat, newline included.
func ndjsonTokenLine(model string, i int) []byte {
	return []byte(`{"model":"` + model + `","created_at":"` + fakeCreatedAt +
		`","message":{"role":"assistant","content":"` + tokenText(i) + `"},"done":false}` + "\n")
}

func ndjsonDoneLine(model string, tokens int) []byte {
	return []byte(`{"model":"` + model + `","created_at":"` + fakeCreatedAt +
		`","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",` +
		`"total_duration":1,"load_duration":1,"prompt_eval_count":26,"prompt_eval_duration":1,` +
		`"eval_count":` + strconv.Itoa(tokens) + `,"eval_duration":1}` + "\n")
}

// blockingAnswer is the fake's whole answer to a chat sent with "stream":false, as Ollama's /api/chat gives it.
func blockingAnswer(model string) []byte {
	return []byte(`{"model":"` + model + `","created_at":"2025-11-20T10:15:03.127554Z",` +
		`"message":{"role":"assistant","content":"` + blockingReply + `"},"done":true,"done_reason":"stop",` +
		`"prompt_eval_count":26,"eval_count":3}`)
}

// blockingReply is the text of every non-streamed answer; the latency benchmark checks the service returns it.
const blockingReply = "Hello there."

// wantsStream says whether an /api/chat request asks for a stream: Ollama streams unless "stream" is false.
func wantsStream(body []byte) bool {
	if !bytes.Contains(body, []byte(`"stream"`)) {
		return true
	}
	var request struct {
		Stream *bool `json:"stream"`
	}
	if json.Unmarshal(body, &request) != nil || request.Stream == nil {
		return true
	}
	return *request.Stream
}

// fakeStats are the fake's counters, read by the load generator at /_bench/stats. Atomics only.
type fakeStats struct {
	ChatRequests    atomic.Int64
	ChatCompleted   atomic.Int64
	ChatAborted     atomic.Int64
	ActiveStreams   atomic.Int64
	PeakStreams     atomic.Int64
	Connections     atomic.Int64
	OpenConnections atomic.Int64
	PeakConnections atomic.Int64
	TagsRequests    atomic.Int64
	OtherRequests   atomic.Int64
	BlockingChats   atomic.Int64 // "stream":false chats, answered with one JSON object
}

// fakeSnapshot is what /_bench/stats answers.
type fakeSnapshot struct {
	ChatRequests    int64 `json:"chatRequests"`
	ChatCompleted   int64 `json:"chatCompleted"`
	ChatAborted     int64 `json:"chatAborted"`
	ActiveStreams   int64 `json:"activeStreams"`
	PeakStreams     int64 `json:"peakStreams"`
	Connections     int64 `json:"connections"`
	OpenConnections int64 `json:"openConnections"`
	PeakConnections int64 `json:"peakConnections"`
	TagsRequests    int64 `json:"tagsRequests"`
	OtherRequests   int64 `json:"otherRequests"`
	BlockingChats   int64 `json:"blockingChats"`
}

func (s *fakeStats) snapshot() fakeSnapshot {
	return fakeSnapshot{
		ChatRequests: s.ChatRequests.Load(), ChatCompleted: s.ChatCompleted.Load(),
		ChatAborted: s.ChatAborted.Load(), ActiveStreams: s.ActiveStreams.Load(),
		PeakStreams: s.PeakStreams.Load(), Connections: s.Connections.Load(),
		OpenConnections: s.OpenConnections.Load(), PeakConnections: s.PeakConnections.Load(),
		TagsRequests: s.TagsRequests.Load(), OtherRequests: s.OtherRequests.Load(),
		BlockingChats: s.BlockingChats.Load(),
	}
}

func raiseMax(peak *atomic.Int64, value int64) {
	for {
		old := peak.Load()
		if value <= old || peak.CompareAndSwap(old, value) {
			return
		}
	}
}

type fakeOllama struct {
	model    string
	script   atomic.Pointer[fakeScript] // what a chat gets; the relay benchmark changes it between phases
	blocking []byte                     // the whole answer to a "stream":false chat
	tags     []byte
	stats    fakeStats
}

// fakeScript is what every chat gets until the next change: the NDJSON lines of /api/chat, the SSE events of the
// OpenAI-compatible /v1/chat/completions (as Ollama serves it), the pause between tokens, and whether streamed chats
// get the whole answer at once instead.
type fakeScript struct {
	tokens   int
	interval time.Duration
	whole    bool
	lines    [][]byte // the token lines, then the done line
	oaEvents [][]byte // the token events, then the finish event and [DONE]
	oaWhole  [][]byte // the whole answer as one content event, then the finish event and [DONE]
}

func newFakeScript(model string, tokens int, interval time.Duration, whole bool) *fakeScript {
	s := &fakeScript{tokens: tokens, interval: interval, whole: whole}
	for i := 0; i < tokens; i++ {
		s.lines = append(s.lines, ndjsonTokenLine(model, i))
		s.oaEvents = append(s.oaEvents, openAIChunk(model, tokenText(i), ""))
	}
	s.lines = append(s.lines, ndjsonDoneLine(model, tokens))
	finish := [][]byte{openAIChunk(model, "", "stop"), []byte("data: [DONE]\n\n")}
	s.oaEvents = append(s.oaEvents, finish...)
	s.oaWhole = append([][]byte{openAIChunk(model, blockingReply, "")}, finish...)
	return s
}

// openAIChunk is one SSE event of a streamed OpenAI-style chat completion, as Ollama's /v1/chat/completions sends.
func openAIChunk(model, content, finish string) []byte {
	reason := "null"
	if finish != "" {
		reason = `"` + finish + `"`
	}
	text, _ := json.Marshal(content)
	return []byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,"model":"` + model +
		`","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":` +
		string(text) + `},"finish_reason":` + reason + `}]}` + "\n\n")
}

// openAIAnswer is the whole answer of a non-streamed OpenAI-style chat completion.
func openAIAnswer(model string) []byte {
	return []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1735689600,"model":"` + model +
		`","system_fingerprint":"fp_ollama","choices":[{"index":0,"message":{"role":"assistant","content":"` +
		blockingReply + `"},"finish_reason":"stop"}],"usage":{"prompt_tokens":26,"completion_tokens":3,` +
		`"total_tokens":29}}`)
}

func newFakeOllama(model string, tokens int, interval time.Duration) *fakeOllama {
	f := &fakeOllama{model: model}
	f.script.Store(newFakeScript(model, tokens, interval, false))
	f.blocking = blockingAnswer(model)
	f.tags = []byte(`{"models":[{"name":"` + model + `","model":"` + model + `","modified_at":"` + fakeCreatedAt +
		`","size":1000,"digest":"0","details":{"format":"gguf","family":"bench","parameter_size":"1M",` +
		`"quantization_level":"Q4_0"}}]}`)
	return f
}

// setScript answers POST /_bench/script?tokens=N&interval=D&whole=0|1: the chats from now on get that script.
func (f *fakeOllama) setScript(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tokens, err1 := strconv.Atoi(q.Get("tokens"))
	interval, err2 := time.ParseDuration(q.Get("interval"))
	if err1 != nil || err2 != nil || tokens < 1 || interval <= 0 || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "POST /_bench/script?tokens=N&interval=D[&whole=1]\n")
		return
	}
	f.script.Store(newFakeScript(f.model, tokens, interval, q.Get("whole") == "1"))
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeOllama) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/chat" && r.Method == http.MethodPost:
		f.chat(w, r)
	case r.URL.Path == "/v1/chat/completions" && r.Method == http.MethodPost:
		f.openAIChat(w, r)
	case r.URL.Path == "/_bench/script":
		f.setScript(w, r)
	case r.URL.Path == "/api/tags":
		f.stats.TagsRequests.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(f.tags)
	case r.URL.Path == "/api/version":
		f.stats.OtherRequests.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"version":"0.12.10"}`)
	case r.URL.Path == "/":
		f.stats.OtherRequests.Add(1)
		_, _ = io.WriteString(w, "Ollama is running")
	case r.URL.Path == "/_bench/stats":
		snap := f.stats.snapshot()
		if r.URL.Query().Get("reset") == "1" {
			// A new phase starts: its peaks start from what is open now.
			f.stats.PeakStreams.Store(f.stats.ActiveStreams.Load())
			f.stats.PeakConnections.Store(f.stats.OpenConnections.Load())
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(snap)
	default:
		f.stats.OtherRequests.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not found in the benchmark's fake Ollama"}`)
	}
}

func (f *fakeOllama) chat(w http.ResponseWriter, r *http.Request) {
	f.stats.ChatRequests.Add(1)
	raiseMax(&f.stats.PeakStreams, f.stats.ActiveStreams.Add(1))
	defer f.stats.ActiveStreams.Add(-1)
	// The request is only inspected for "stream": every chat gets the same answer.
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	script := f.script.Load()
	if err == nil && script.whole && wantsStream(body) {
		f.stats.BlockingChats.Add(1)
		line := append(append([]byte{}, f.blocking...), '\n')
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Length", strconv.Itoa(len(line)))
		if _, err := w.Write(line); err != nil {
			f.stats.ChatAborted.Add(1)
			return
		}
		f.stats.ChatCompleted.Add(1)
		return
	}
	if err == nil && !wantsStream(body) {
		f.stats.BlockingChats.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(f.blocking)))
		if _, err := w.Write(f.blocking); err != nil {
			f.stats.ChatAborted.Add(1)
			return
		}
		f.stats.ChatCompleted.Add(1)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	f.pace(w, r, script.lines, script.interval)
}

// pace writes the first line at once and each next one an interval later, flushing each; counts the outcome.
func (f *fakeOllama) pace(w http.ResponseWriter, r *http.Request, lines [][]byte, interval time.Duration) {
	flusher, _ := w.(http.Flusher)
	send := func(line []byte) bool {
		if _, err := w.Write(line); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if !send(lines[0]) {
		f.stats.ChatAborted.Add(1)
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	done := r.Context().Done()
	for next := 1; next < len(lines); next++ {
		select {
		case <-done:
			f.stats.ChatAborted.Add(1)
			return
		case <-ticker.C:
		}
		if !send(lines[next]) {
			f.stats.ChatAborted.Add(1)
			return
		}
	}
	f.stats.ChatCompleted.Add(1)
}

// openAIChat is Ollama's OpenAI-compatible endpoint (what Portkey's ollama provider calls): a chat completion at
// once, or streamed as SSE chunks paced like /api/chat, ending with [DONE]. OpenAI streams only when asked to.
func (f *fakeOllama) openAIChat(w http.ResponseWriter, r *http.Request) {
	f.stats.ChatRequests.Add(1)
	raiseMax(&f.stats.PeakStreams, f.stats.ActiveStreams.Add(1))
	defer f.stats.ActiveStreams.Add(-1)
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	script := f.script.Load()
	stream := err == nil && bytes.Contains(body, []byte(`"stream"`)) && wantsStream(body)
	if !stream {
		f.stats.BlockingChats.Add(1)
		answer := openAIAnswer(f.model)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		if _, err := w.Write(answer); err != nil {
			f.stats.ChatAborted.Add(1)
			return
		}
		f.stats.ChatCompleted.Add(1)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	if script.whole {
		f.stats.BlockingChats.Add(1)
		f.pace(w, r, script.oaWhole, time.Microsecond)
		return
	}
	f.pace(w, r, script.oaEvents, script.interval)
}

func runFake(args []string) error {
	fs := flag.NewFlagSet("fake", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	portFile := fs.String("port-file", "", "write the port here once listening")
	tokens := fs.Int("tokens", 200, "tokens per streamed chat")
	interval := fs.Duration("interval", 10*time.Millisecond, "pause between tokens")
	model := fs.String("model", "bench-model", "the one model the fake lists and answers as")
	whole := fs.Bool("whole", false, "answer every chat at once with the whole reply, streamed ones as one NDJSON line "+
		"(the latency benchmark: the service asks Ollama to stream on both of its endpoints)")
	_ = fs.Parse(args)
	if *tokens < 1 || *interval <= 0 {
		return errors.New("-tokens must be >= 1 and -interval > 0")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to listen on %q: loopback addresses only", host)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fake := newFakeOllama(*model, *tokens, *interval)
	fake.script.Store(newFakeScript(*model, *tokens, *interval, *whole))
	server := &http.Server{
		Handler:           fake,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				fake.stats.Connections.Add(1)
				raiseMax(&fake.stats.PeakConnections, fake.stats.OpenConnections.Add(1))
			case http.StateClosed, http.StateHijacked:
				fake.stats.OpenConnections.Add(-1)
			}
		},
	}
	port := listener.Addr().(*net.TCPAddr).Port
	if *portFile != "" {
		if err := os.WriteFile(*portFile+".tmp", []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(*portFile+".tmp", *portFile); err != nil {
			return err
		}
	}
	fmt.Printf("fake Ollama on 127.0.0.1:%d: %d tokens every %v per chat, model %s\n",
		port, *tokens, *interval, *model)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		_ = server.Close()
	}()
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
