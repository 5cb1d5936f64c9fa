package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The relay benchmark (bench/run.sh): one system at a time relays the same chats to the same fast fake Ollama, and
// this command measures it, phase after phase, and appends one JSON line of figures to a file. The systems differ
// only in how a chat is asked for:
//
//	direct   the fake itself: POST /api/chat (Ollama's API), the baseline
//	service  ollama-chat: POST /api/chat {"message":...} and POST /api/chat/stream (SSE)
//	openai   a gateway's OpenAI-compatible POST /v1/chat/completions (LiteLLM, Portkey), with its own headers
//
// Before each phase it tells the fake what to answer (POST /_bench/script). CPU time and peak RSS are those of the
// system's process and every process under it (gateways that fork workers), from /proc.

const kBPerMB = 1024.0

type relayConfig struct {
	system, kind, url, fakeURL, model, out, note string
	headers                                      map[string]string
	pid, fakePID, rep                            int
	startupMs, startupRSSkB                      float64

	warm                    time.Duration
	nsWarm, nsMeasure       time.Duration
	nsMaxChats              int
	concClients             int
	concWarm, concMeasure   time.Duration
	stWarm, stN             int
	stMeasure               time.Duration
	midStreams, midTokens   int
	midInterval             time.Duration
	midRounds               int
	bigStreams, bigTokens   int
	bigInterval, bigTimeout time.Duration
	midTimeout              time.Duration
	chatTimeout             time.Duration
}

// relaySystem knows how to ask one system for a chat and how to read its answer.
type relaySystem struct {
	c relayConfig
}

func (s relaySystem) chatRequest() (string, []byte) {
	base := strings.TrimRight(s.c.url, "/")
	switch s.c.kind {
	case "direct":
		return base + "/api/chat", []byte(`{"model":"` + s.c.model +
			`","messages":[{"role":"user","content":"hi"}],"stream":false}`)
	case "service":
		return base + "/api/chat", []byte(`{"message":"hi"}`)
	default:
		return base + "/v1/chat/completions", []byte(`{"model":"` + s.c.model +
			`","messages":[{"role":"user","content":"hi"}]}`)
	}
}

// replyOK says whether a non-streamed answer carries the fake's reply.
func (s relaySystem) replyOK(raw []byte) bool {
	switch s.c.kind {
	case "direct":
		var a struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		}
		return json.Unmarshal(raw, &a) == nil && a.Message.Content == blockingReply
	case "service":
		var a struct {
			Reply string `json:"reply"`
		}
		return json.Unmarshal(raw, &a) == nil && a.Reply == blockingReply
	default:
		var a struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
		}
		return json.Unmarshal(raw, &a) == nil && len(a.Choices) > 0 && a.Choices[0].Message.Content == blockingReply
	}
}

func (s relaySystem) streamTarget(tokens int) target {
	exp := expectations{tokens: tokens, model: s.c.model}
	switch s.c.kind {
	case "direct":
		return directTarget(s.c.fakeURL, exp)
	case "service":
		return serviceTarget(s.c.url, exp)
	default:
		var all strings.Builder
		for i := 0; i < tokens; i++ {
			all.WriteString(tokenText(i))
		}
		want := all.String()
		return target{
			name: s.c.system,
			url:  strings.TrimRight(s.c.url, "/") + "/v1/chat/completions",
			body: []byte(`{"model":"` + s.c.model +
				`","messages":[{"role":"user","content":"Tell me a story."}],"stream":true}`),
			headers: mergeHeaders(s.c.headers, map[string]string{"Accept": "text/event-stream"}),
			read: func(r *bufio.Reader, started time.Time, res *streamResult) error {
				return readOpenAISSE(r, started, res, want, tokens)
			},
		}
	}
}

func mergeHeaders(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// readOpenAISSE reads an OpenAI-style chat completion stream: data: {...choices[0].delta.content...} events, then
// data: [DONE]. A gateway may cut or join the fake's chunks, so the text is checked as a whole at the end; the time
// to first token is when the first non-empty content arrives.
func readOpenAISSE(r *bufio.Reader, started time.Time, res *streamResult, want string, tokens int) error {
	var text strings.Builder
	finished := false
	end := func() error {
		res.duration = time.Since(started)
		if text.String() != want {
			return fmt.Errorf("streamed text differs from the fake's (%d of %d bytes)", text.Len(), len(want))
		}
		res.tokens = tokens
		res.ok = true
		return nil
	}
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return errors.New("line longer than the read buffer")
			}
			if errors.Is(err, io.EOF) && finished {
				return end()
			}
			return streamEnded(err, res)
		}
		line = bytes.TrimSpace(line)
		if !bytes.HasPrefix(line, []byte("data:")) {
			continue
		}
		data := bytes.TrimSpace(line[len("data:"):])
		if bytes.Equal(data, []byte("[DONE]")) {
			return end()
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content *string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(data, &chunk); err != nil {
			return errors.New("an event is not JSON")
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return errors.New("error event: " + digits.ReplaceAllString(string(chunk.Error[:minInt(len(chunk.Error), 100)]), "#"))
		}
		for _, ch := range chunk.Choices {
			if ch.Delta.Content != nil && *ch.Delta.Content != "" {
				if text.Len() == 0 {
					res.ttft = time.Since(started)
				}
				text.WriteString(*ch.Delta.Content)
				// Counted as they come (a cut stream's tokens were relayed too); set exactly at the end.
				res.tokens = minInt(tokens, strings.Count(text.String(), " "))
			}
			if ch.FinishReason != nil && *ch.FinishReason != "" {
				finished = true
			}
		}
	}
}

// --- CPU and memory of a process tree ---

// procTree is pid and every process under it, from the parent ids in /proc/<pid>/stat.
func procTree(pid int) []int {
	if pid <= 0 {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return []int{pid}
	}
	children := map[int][]int{}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fields := statFields(e.Name())
		if len(fields) < 2 {
			continue
		}
		parent, _ := strconv.Atoi(fields[1])
		children[parent] = append(children[parent], child)
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// treeCPU is the CPU time (user + system) of a process and everything under it, including children it has waited
// for (cutime + cstime).
func treeCPU(pid int) time.Duration {
	var total time.Duration
	for _, p := range procTree(pid) {
		total += ticksOf(statFields(strconv.Itoa(p)), 11, 12, 13, 14)
	}
	return total
}

// treeKB sums a /proc/<pid>/status field (VmHWM, VmRSS) over the process tree.
func treeKB(pid int, field string) int64 {
	var total int64
	for _, p := range procTree(pid) {
		if v := procStatusKB(p, field); v > 0 {
			total += v
		}
	}
	return total
}

// --- the phases ---

type relayResult struct {
	System  string             `json:"system"`
	Rep     int                `json:"rep"`
	Kind    string             `json:"kind"`
	Note    string             `json:"note,omitempty"`
	Metrics map[string]float64 `json:"metrics"`
	Notes   []string           `json:"notes,omitempty"`
}

func (r *relayResult) set(name string, v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		r.Metrics[name] = v
	}
}

func (r *relayResult) notef(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Println("  !", line)
	r.Notes = append(r.Notes, line)
}

// chatClient keeps up to n keep-alive connections.
func chatClient(n int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxConnsPerHost:     n,
		MaxIdleConns:        n,
		MaxIdleConnsPerHost: n,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
	}}
}

type chatFailures struct {
	mu      sync.Mutex
	reasons map[string]int
	n       atomic.Int64
}

func (f *chatFailures) add(reason string) {
	f.n.Add(1)
	f.mu.Lock()
	if f.reasons == nil {
		f.reasons = map[string]int{}
	}
	f.reasons[reason]++
	f.mu.Unlock()
}

func (f *chatFailures) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var parts []string
	for r, n := range f.reasons {
		parts = append(parts, fmt.Sprintf("%d x %s", n, r))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (s relaySystem) chat(client *http.Client, fails *chatFailures) (time.Duration, bool) {
	url, body := s.chatRequest()
	ctx, cancel := context.WithTimeout(context.Background(), s.c.chatTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range s.c.headers {
		req.Header.Set(k, v)
	}
	started := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		fails.add("connect/request: " + classify(err))
		return 0, false
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	elapsed := time.Since(started)
	resp.Body.Close()
	switch {
	case err != nil:
		fails.add("read: " + classify(err))
	case resp.StatusCode != http.StatusOK:
		fails.add(fmt.Sprintf("HTTP %d", resp.StatusCode))
	case !s.replyOK(raw):
		fails.add("unexpected reply: " + digits.ReplaceAllString(string(raw[:minInt(len(raw), 100)]), "#"))
	default:
		return elapsed, true
	}
	return 0, false
}

// chatsFor sends chats from clients concurrent clients for up to d (and at most maxChats in all; 0: no limit);
// returns the latencies (ms) of the good ones, the wall time and the system's CPU time meanwhile.
func (s relaySystem) chatsFor(client *http.Client, clients int, d time.Duration, maxChats int,
	fails *chatFailures) ([]float64, time.Duration, time.Duration) {
	var mu sync.Mutex
	var all []float64
	var sent atomic.Int64
	var wg sync.WaitGroup
	cpu0, started := treeCPU(s.c.pid), time.Now()
	stop := started.Add(d)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []float64
			for time.Now().Before(stop) && (maxChats <= 0 || sent.Add(1) <= int64(maxChats)) {
				if lat, ok := s.chat(client, fails); ok {
					local = append(local, ms(lat))
				}
			}
			mu.Lock()
			all = append(all, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(started), treeCPU(s.c.pid)-cpu0
	sort.Float64s(all)
	return all, wall, cpu
}

func setFakeScript(fakeURL string, tokens int, interval time.Duration, whole bool) error {
	u := fmt.Sprintf("%s/_bench/script?tokens=%d&interval=%s", strings.TrimRight(fakeURL, "/"), tokens, interval)
	if whole {
		u += "&whole=1"
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Post(u, "text/plain", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("the fake refused the script: %s", resp.Status)
	}
	return nil
}

// streamRound opens n streams at once and returns them with the system's CPU time over the round.
func (s relaySystem) streamRound(t target, n int, timeout time.Duration) ([]streamResult, time.Duration, time.Duration) {
	cpu0 := treeCPU(s.c.pid)
	results, wall := runStreams(newClient(n), t, n, 0, timeout)
	return results, wall, treeCPU(s.c.pid) - cpu0
}

func streamSummary(results []streamResult) (ok int, ttft []float64, tokens int, reasons map[string]int) {
	reasons = map[string]int{}
	for _, r := range results {
		if r.ttft >= 0 {
			ttft = append(ttft, ms(r.ttft))
		}
		tokens += r.tokens
		if r.ok {
			ok++
		} else {
			reasons[r.reason]++
		}
	}
	sort.Float64s(ttft)
	return
}

func countOK(results []streamResult) int {
	n := 0
	for _, r := range results {
		if r.ok {
			n++
		}
	}
	return n
}

func reasonsText(reasons map[string]int) string {
	var parts []string
	for r, n := range reasons {
		parts = append(parts, fmt.Sprintf("%d x %s", n, r))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func runRelay(args []string) error {
	var c relayConfig
	var headers string
	fs := flag.NewFlagSet("relay", flag.ExitOnError)
	fs.StringVar(&c.system, "system", "", "the system's name in the results")
	fs.StringVar(&c.kind, "kind", "service", "direct | service | openai")
	fs.StringVar(&c.url, "url", "", "the system's base URL (direct: the fake's)")
	fs.StringVar(&c.fakeURL, "fake", "", "the fake Ollama's base URL (its script is set before each phase)")
	fs.StringVar(&c.model, "model", "bench-model", "the model name")
	fs.StringVar(&headers, "headers", "", "extra request headers, name:value, separated by |")
	fs.IntVar(&c.pid, "pid", 0, "the system's process id: CPU and memory of it and its descendants (0: none)")
	fs.IntVar(&c.fakePID, "fake-pid", 0, "the fake's process id (to tell the rest of the machine's CPU use)")
	fs.IntVar(&c.rep, "rep", 1, "repetition number, for the results")
	fs.StringVar(&c.note, "note", "", "a note for the results (JVM flags, version)")
	fs.Float64Var(&c.startupMs, "startup-ms", -1, "start-up time measured by the caller, for the results")
	fs.Float64Var(&c.startupRSSkB, "startup-rss-kb", -1, "RSS at start-up measured by the caller, for the results")
	fs.StringVar(&c.out, "out", "", "append the results as one JSON line to this file")
	fs.DurationVar(&c.warm, "warm", 6*time.Second, "common warm-up before the phases: non-streamed chats from 8 "+
		"clients, then two rounds of 50 short streams (a JIT compiler warms up; 0: none)")
	fs.DurationVar(&c.nsWarm, "ns-warm", time.Second, "non-streaming c=1: warm-up time")
	fs.DurationVar(&c.nsMeasure, "ns-measure", 3*time.Second, "non-streaming c=1: measured time")
	fs.IntVar(&c.nsMaxChats, "ns-max", 5000, "non-streaming c=1: at most this many measured chats")
	fs.IntVar(&c.concClients, "conc", 64, "non-streaming concurrent clients")
	fs.DurationVar(&c.concWarm, "conc-warm", time.Second, "concurrent: warm-up time")
	fs.DurationVar(&c.concMeasure, "conc-measure", 2*time.Second, "concurrent: measured time")
	fs.IntVar(&c.stWarm, "st-warm", 20, "streaming c=1: warm-up streams")
	fs.IntVar(&c.stN, "st-n", 200, "streaming c=1: at most this many measured streams (5 tokens, 2 ms apart)")
	fs.DurationVar(&c.stMeasure, "st-measure", 2*time.Second, "streaming c=1: at most this long")
	fs.IntVar(&c.midStreams, "mid-streams", 100, "CPU per token: concurrent streams")
	fs.IntVar(&c.midTokens, "mid-tokens", 200, "CPU per token: tokens per stream")
	fs.DurationVar(&c.midInterval, "mid-interval", 20*time.Millisecond, "CPU per token: pause between tokens")
	fs.IntVar(&c.midRounds, "mid-rounds", 2, "CPU per token: rounds; the last is measured")
	fs.DurationVar(&c.midTimeout, "mid-timeout", 60*time.Second, "CPU per token: longest a stream may take")
	fs.IntVar(&c.bigStreams, "big-streams", 1000, "many streams: concurrent streams (0: skip)")
	fs.IntVar(&c.bigTokens, "big-tokens", 100, "many streams: tokens per stream")
	fs.DurationVar(&c.bigInterval, "big-interval", 50*time.Millisecond, "many streams: pause between tokens")
	fs.DurationVar(&c.bigTimeout, "big-timeout", 30*time.Second, "many streams: longest a stream may take")
	fs.DurationVar(&c.chatTimeout, "chat-timeout", 30*time.Second, "longest a non-streamed chat may take")
	_ = fs.Parse(args)
	for _, u := range []string{c.url, c.fakeURL} {
		if err := requireLoopback(u); err != nil {
			return err
		}
	}
	if c.kind != "direct" && c.kind != "service" && c.kind != "openai" {
		return fmt.Errorf("-kind must be direct, service or openai, not %q", c.kind)
	}
	c.headers = map[string]string{}
	for _, h := range strings.Split(headers, "|") {
		if name, value, found := strings.Cut(h, ":"); found {
			c.headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
	}
	s := relaySystem{c: c}
	res := relayResult{System: c.system, Rep: c.rep, Kind: c.kind, Note: c.note, Metrics: map[string]float64{}}
	if c.startupMs >= 0 {
		res.set("startup_ms", c.startupMs)
	}
	if c.startupRSSkB > 0 {
		res.set("startup_rss_mb", c.startupRSSkB/kBPerMB)
	}
	began := time.Now()
	// What the rest of the machine used meanwhile (it may be shared): every CPU's busy time minus the system's, the
	// fake's and this process's.
	ours := func() time.Duration { return treeCPU(c.pid) + procCPU(c.fakePID) + benchCPU(nil) }
	machine0, ours0 := machineBusy(), ours()
	alive := func(phase string) bool {
		if c.pid > 0 && !processAlive(c.pid) {
			res.notef("the process is gone before %s", phase)
			return false
		}
		return true
	}

	// 0. A common warm-up: the same for every system, so that a JIT compiler (the JVM's, V8's) has compiled the
	// paths the phases take before anything is measured.
	if err := setFakeScript(c.fakeURL, 1, time.Millisecond, true); err != nil {
		return err
	}
	fails := &chatFailures{}
	if c.warm > 0 {
		fmt.Printf("[%s #%d] warm-up: %v of non-streamed chats from 8 clients, then 2 x 50 short streams ... ", c.system,
			c.rep, c.warm)
		lat, _, _ := s.chatsFor(chatClient(8), 8, c.warm, 0, fails)
		if err := setFakeScript(c.fakeURL, 20, 5*time.Millisecond, false); err != nil {
			return err
		}
		ok := 0
		for i := 0; i < 2; i++ {
			results, _, _ := s.streamRound(s.streamTarget(20), 50, c.bigTimeout)
			ok += countOK(results)
		}
		fmt.Printf("%d chats, %d of 100 streams ok\n", len(lat), ok)
		if fails.n.Load() > 0 || ok < 100 {
			res.notef("warm-up: %d chat failures (%s), %d of 100 streams ok", fails.n.Load(), fails, ok)
		}
		if err := setFakeScript(c.fakeURL, 1, time.Millisecond, true); err != nil {
			return err
		}
	}

	// 1. Non-streaming, one client on one keep-alive connection.
	fails = &chatFailures{}
	client := chatClient(1)
	fmt.Printf("[%s #%d] non-streaming, 1 client: warm-up %v, measure %v ... ", c.system, c.rep, c.nsWarm, c.nsMeasure)
	s.chatsFor(client, 1, c.nsWarm, 0, fails)
	if fails.n.Load() > 0 {
		res.notef("warm-up failures: %s", fails)
	}
	fails = &chatFailures{}
	lat, wall, cpu := s.chatsFor(client, 1, c.nsMeasure, c.nsMaxChats, fails)
	fmt.Printf("%d chats, p50 %.3f ms, %d failed\n", len(lat), pct(lat, 50), fails.n.Load())
	if len(lat) == 0 {
		res.notef("no non-streamed chat succeeded: %s", fails)
	}
	res.set("ns_n", float64(len(lat)))
	res.set("ns_fail", float64(fails.n.Load()))
	res.set("ns_p50", pct(lat, 50))
	res.set("ns_p99", pct(lat, 99))
	res.set("ns_p999", pct(lat, 99.9))
	if c.pid > 0 && len(lat) > 0 {
		res.set("ns_cpu_ms", ms(cpu)/float64(len(lat)))
	}
	_ = wall
	if fails.n.Load() > 0 {
		res.notef("non-streaming failures: %s", fails)
	}

	// 2. Non-streaming, many clients at once, each on its own keep-alive connection.
	if alive("the concurrent phase") {
		client = chatClient(c.concClients)
		fails = &chatFailures{}
		fmt.Printf("[%s #%d] non-streaming, %d clients: warm-up %v, measure %v ... ", c.system, c.rep,
			c.concClients, c.concWarm, c.concMeasure)
		s.chatsFor(client, c.concClients, c.concWarm, 0, fails)
		fails = &chatFailures{}
		lat, wall, cpu = s.chatsFor(client, c.concClients, c.concMeasure, 0, fails)
		fmt.Printf("%d chats, %.0f/s, %d failed\n", len(lat), float64(len(lat))/wall.Seconds(), fails.n.Load())
		res.set("c64_rps", float64(len(lat))/wall.Seconds())
		res.set("c64_p50", pct(lat, 50))
		res.set("c64_fail", float64(fails.n.Load()))
		if c.pid > 0 && len(lat) > 0 {
			res.set("c64_cpu_ms", ms(cpu)/float64(len(lat)))
		}
		if fails.n.Load() > 0 {
			res.notef("concurrent failures: %s", fails)
		}
		client.CloseIdleConnections()
	}

	// 3. Streaming, one stream at a time: time to first token.
	if alive("the streaming phase") {
		const stTokens = 5
		if err := setFakeScript(c.fakeURL, stTokens, 2*time.Millisecond, false); err != nil {
			return err
		}
		t := s.streamTarget(stTokens)
		sc := newClient(1)
		fmt.Printf("[%s #%d] streaming, 1 at a time: %d warm-up, up to %d measured ... ", c.system, c.rep, c.stWarm, c.stN)
		for i := 0; i < c.stWarm; i++ {
			oneStream(context.Background(), sc, t, c.chatTimeout)
		}
		var results []streamResult
		stop := time.Now().Add(c.stMeasure)
		for i := 0; i < c.stN && time.Now().Before(stop); i++ {
			results = append(results, oneStream(context.Background(), sc, t, c.chatTimeout))
		}
		ok, ttft, _, reasons := streamSummary(results)
		fmt.Printf("%d ok of %d, TTFT p50 %.3f ms\n", ok, len(results), pct(ttft, 50))
		res.set("st_n", float64(len(results)))
		res.set("st_fail", float64(len(results)-ok))
		res.set("st_ttft_p50", pct(ttft, 50))
		res.set("st_ttft_p99", pct(ttft, 99))
		if ok < len(results) {
			res.notef("streaming c=1 failures: %s", reasonsText(reasons))
		}
	}

	// 4. Streams at a pace: CPU per relayed token.
	if alive("the paced streams") && c.midStreams > 0 {
		if err := setFakeScript(c.fakeURL, c.midTokens, c.midInterval, false); err != nil {
			return err
		}
		t := s.streamTarget(c.midTokens)
		for round := 1; round <= c.midRounds; round++ {
			fmt.Printf("[%s #%d] %d streams x %d tokens at %v, round %d of %d ... ", c.system, c.rep, c.midStreams,
				c.midTokens, c.midInterval, round, c.midRounds)
			results, wall, cpu := s.streamRound(t, c.midStreams, c.midTimeout)
			ok, ttft, tokens, reasons := streamSummary(results)
			fmt.Printf("%d ok, %.1f s\n", ok, wall.Seconds())
			nominal := time.Duration(c.midTokens) * c.midInterval
			if round < c.midRounds && wall < 3*nominal {
				continue
			}
			if round < c.midRounds {
				// A system this slow is not waiting for a JIT: its first round is measured, to keep the run short.
				res.notef("%d streams: the first round took %.0f s (%.0f s nominal), so it is the measured one",
					c.midStreams, wall.Seconds(), nominal.Seconds())
			}
			res.set("mid_fail", float64(len(results)-ok))
			res.set("mid_ttft_p50", pct(ttft, 50))
			res.set("mid_tokens", float64(tokens))
			if c.pid > 0 && tokens > 0 {
				res.set("mid_cpu_us_token", float64(cpu.Microseconds())/float64(tokens))
			}
			if c.pid > 0 {
				res.set("mid_hwm_mb", float64(treeKB(c.pid, "VmHWM"))/kBPerMB)
			}
			if ok < len(results) {
				res.notef("%d-stream failures: %s", c.midStreams, reasonsText(reasons))
			}
			break
		}
	}

	// 5. Many streams at once.
	if alive("the many streams") && c.bigStreams > 0 {
		if err := setFakeScript(c.fakeURL, c.bigTokens, c.bigInterval, false); err != nil {
			return err
		}
		t := s.streamTarget(c.bigTokens)
		fmt.Printf("[%s #%d] %d streams x %d tokens at %v ... ", c.system, c.rep, c.bigStreams, c.bigTokens,
			c.bigInterval)
		results, wall, cpu := s.streamRound(t, c.bigStreams, c.bigTimeout)
		ok, ttft, tokens, reasons := streamSummary(results)
		fmt.Printf("%d ok, TTFT p50 %.1f ms, %.1f s\n", ok, pct(ttft, 50), wall.Seconds())
		res.set("big_fail", float64(len(results)-ok))
		res.set("big_ttft_p50", pct(ttft, 50))
		res.set("big_ttft_p99", pct(ttft, 99))
		res.set("big_wall_s", wall.Seconds())
		if c.pid > 0 && tokens > 0 {
			res.set("big_cpu_us_token", float64(cpu.Microseconds())/float64(tokens))
		}
		if c.pid > 0 {
			res.set("big_hwm_mb", float64(treeKB(c.pid, "VmHWM"))/kBPerMB)
		}
		if ok < len(results) {
			res.notef("%d-stream failures: %s", c.bigStreams, reasonsText(reasons))
		}
	}
	if c.pid > 0 && !processAlive(c.pid) {
		res.notef("the process ended during the run")
	}
	took := time.Since(began)
	res.set("took_s", took.Seconds())
	if others := machineBusy() - machine0 - (ours() - ours0); took > 0 {
		res.set("other_cores", math.Max(0, others.Seconds()/took.Seconds()))
	}
	line, _ := json.Marshal(res)
	if c.out != "" {
		f, err := os.OpenFile(c.out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(append(line, '\n')); err != nil {
			return err
		}
	} else {
		fmt.Println(string(line))
	}
	return nil
}
