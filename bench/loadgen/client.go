package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// streamResult is what one stream came to.
type streamResult struct {
	ok       bool
	reason   string        // why it failed; "" when ok
	ttft     time.Duration // request sent -> first token read; < 0 when no token came
	duration time.Duration // request sent -> done read (or failure)
	tokens   int
	// From the service's done event: its own time to first token, and whether it carried warnings.
	serverTTFTms float64 // < 0 when absent
	warnings     []string
}

// target is one way of asking for a stream: straight to the fake Ollama, or through the service.
type target struct {
	name    string
	url     string
	body    []byte
	headers map[string]string
	read    func(r *bufio.Reader, started time.Time, res *streamResult) error
}

type expectations struct {
	tokens int
	model  string
}

func directTarget(fakeURL string, exp expectations) target {
	lines := make([][]byte, exp.tokens)
	for i := range lines {
		lines[i] = ndjsonTokenLine(exp.model, i)
	}
	return target{
		name: "direct",
		url:  strings.TrimRight(fakeURL, "/") + "/api/chat",
		body: []byte(`{"model":"` + exp.model + `","messages":[{"role":"user","content":"Tell me a story."}],"stream":true}`),
		read: func(r *bufio.Reader, started time.Time, res *streamResult) error {
			return readNDJSON(r, started, res, lines)
		},
	}
}

func serviceTarget(serviceURL string, exp expectations) target {
	data := make([][]byte, exp.tokens)
	for i := range data {
		text, _ := json.Marshal(map[string]string{"text": tokenText(i)})
		data[i] = text
	}
	return target{
		name:    "service",
		url:     strings.TrimRight(serviceURL, "/") + "/api/chat/stream",
		body:    []byte(`{"message":"Tell me a story."}`),
		headers: map[string]string{"Accept": "text/event-stream"},
		read: func(r *bufio.Reader, started time.Time, res *streamResult) error {
			return readSSE(r, started, res, data)
		},
	}
}

// readNDJSON reads Ollama's stream: each token line must be the one the fake sends, then a done line.
func readNDJSON(r *bufio.Reader, started time.Time, res *streamResult, want [][]byte) error {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return errors.New("line longer than the read buffer")
			}
			return streamEnded(err, res)
		}
		if bytes.Contains(line, []byte(`"done":true`)) {
			res.duration = time.Since(started)
			return finish(res, len(want))
		}
		if res.tokens == 0 {
			res.ttft = time.Since(started)
		}
		if res.tokens >= len(want) || !bytes.Equal(line, want[res.tokens]) {
			return fmt.Errorf("unexpected token line (token %d)", res.tokens)
		}
		res.tokens++
	}
}

// readSSE reads the service's event stream: token events in order, then done; error ends it as a failure.
// The service writes "event:" before "data:" in every event, so an event is handled at its data line.
func readSSE(r *bufio.Reader, started time.Time, res *streamResult, want [][]byte) error {
	event := ""
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return errors.New("line longer than the read buffer")
			}
			return streamEnded(err, res)
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0: // end of an event
			event = ""
			continue
		case line[0] == ':': // a keep-alive comment
			continue
		case bytes.HasPrefix(line, []byte("event:")):
			event = string(bytes.TrimSpace(line[len("event:"):]))
			continue
		case !bytes.HasPrefix(line, []byte("data:")):
			continue
		}
		data := bytes.TrimSpace(line[len("data:"):])
		switch event {
		case "token":
			if res.tokens == 0 {
				res.ttft = time.Since(started)
			}
			if res.tokens >= len(want) || !bytes.Equal(data, want[res.tokens]) {
				return fmt.Errorf("unexpected token event (token %d)", res.tokens)
			}
			res.tokens++
		case "done":
			res.duration = time.Since(started)
			var done struct {
				TimeToFirstTokenMs *float64 `json:"timeToFirstTokenMs"`
				Warnings           []string `json:"warnings"`
			}
			if err := json.Unmarshal(data, &done); err != nil {
				return errors.New("done event is not JSON")
			}
			if done.TimeToFirstTokenMs != nil {
				res.serverTTFTms = *done.TimeToFirstTokenMs
			}
			res.warnings = done.Warnings
			return finish(res, len(want))
		case "error":
			var failed struct {
				Status int    `json:"status"`
				Title  string `json:"title"`
			}
			_ = json.Unmarshal(data, &failed)
			return fmt.Errorf("error event %d %s", failed.Status, failed.Title)
		default:
			return fmt.Errorf("unexpected event %q", event)
		}
	}
}

func finish(res *streamResult, want int) error {
	if res.tokens != want {
		return fmt.Errorf("done after %d of %d tokens", res.tokens, want)
	}
	res.ok = true
	return nil
}

func streamEnded(err error, res *streamResult) error {
	if errors.Is(err, io.EOF) {
		return errors.New("stream ended before done")
	}
	return fmt.Errorf("mid-stream: %s", classify(err))
}

var digits = regexp.MustCompile(`[0-9]+`)

// classify turns an error into a short reason that counts well (no ports, addresses or numbers).
func classify(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE):
		return "too many open files (load generator)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no free local port"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "unexpected EOF"
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) && netErr.Err != nil {
		return netErr.Op + ": " + digits.ReplaceAllString(netErr.Err.Error(), "#")
	}
	return digits.ReplaceAllString(err.Error(), "#")
}

func newClient(conns int) *http.Client {
	transport := &http.Transport{
		// Every stream is a fresh TCP connection, as from separate clients; nothing is pooled or limited.
		DisableKeepAlives:     true,
		MaxConnsPerHost:       0,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		ResponseHeaderTimeout: 0,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: -1,
		}).DialContext,
		ReadBufferSize:  4096,
		WriteBufferSize: 4096,
		MaxIdleConns:    conns,
	}
	return &http.Client{Transport: transport}
}

// oneStream makes one streaming request and reads it to the end.
func oneStream(ctx context.Context, client *http.Client, t target, timeout time.Duration) streamResult {
	res := streamResult{ttft: -1, serverTTFTms: -1}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		res.reason = "request: " + classify(err)
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	started := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.duration = time.Since(started)
		res.reason = "connect/request: " + classify(err)
		return res
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		res.duration = time.Since(started)
		res.reason = fmt.Sprintf("HTTP %d%s", resp.StatusCode, problemType(resp.Body))
		return res
	}
	err = t.read(bufio.NewReaderSize(resp.Body, 4096), started, &res)
	if res.duration == 0 {
		res.duration = time.Since(started)
	}
	if err != nil {
		res.ok = false
		if ctx.Err() != nil {
			res.reason = fmt.Sprintf("timeout after %v", timeout)
		} else {
			res.reason = err.Error()
		}
		return res
	}
	// Read on to the end of the response, so the connection closes cleanly (bounded by the timeout).
	_, _ = io.Copy(io.Discard, resp.Body)
	return res
}

func problemType(body io.Reader) string {
	raw, _ := io.ReadAll(io.LimitReader(body, 4096))
	var problem struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &problem) == nil && problem.Type != "" {
		return " " + problem.Type
	}
	return ""
}

// runStreams opens n streams to t at once (or spread evenly over ramp) and waits for all of them.
func runStreams(client *http.Client, t target, n int, ramp, timeout time.Duration) ([]streamResult, time.Duration) {
	results := make([]streamResult, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer done.Done()
			ready.Done()
			<-start
			if ramp > 0 && n > 1 {
				time.Sleep(ramp * time.Duration(i) / time.Duration(n-1))
			}
			results[i] = oneStream(context.Background(), client, t, timeout)
		}(i)
	}
	ready.Wait()
	began := time.Now()
	close(start)
	done.Wait()
	return results, time.Since(began)
}
