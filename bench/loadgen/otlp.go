package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The OTLP receiver of the telemetry benchmark: it takes POST <prefix>/v1/traces (OTLP/HTTP, protobuf), answers
// 200 with an empty ExportTraceServiceResponse at once, and only counts: requests, bytes, and spans by name (a
// walk over the protobuf wire format, no generated code). Exports to any path other than /v1/traces are counted
// apart ("stray"): the benchmark points the telemetry-off service there, so they must stay at zero.

type otlpStats struct {
	Exports      atomic.Int64 // POST /v1/traces
	Bytes        atomic.Int64 // their bodies, as sent (compressed if they were)
	Spans        atomic.Int64
	BadBodies    atomic.Int64 // not protobuf an OTLP trace export can be
	StrayExports atomic.Int64 // POSTs to any other path
	mu           sync.Mutex
	names        map[string]spanTally
	headers      map[string]string // of the last export: content type, encoding, project
}

// spanTally is what the receiver got of spans of one name: how many, their attributes and encoded bytes.
type spanTally struct {
	Count      int64 `json:"count"`
	Attributes int64 `json:"attributes"`
	Bytes      int64 `json:"bytes"`
}

type otlpSnapshot struct {
	Exports      int64                `json:"exports"`
	Bytes        int64                `json:"bytes"`
	Spans        int64                `json:"spans"`
	BadBodies    int64                `json:"badBodies"`
	StrayExports int64                `json:"strayExports"`
	Names        map[string]spanTally `json:"names"`
	Headers      map[string]string    `json:"headers"`
}

func (s *otlpStats) snapshot() otlpSnapshot {
	s.mu.Lock()
	names := make(map[string]spanTally, len(s.names))
	for k, v := range s.names {
		names[k] = v
	}
	headers := make(map[string]string, len(s.headers))
	for k, v := range s.headers {
		headers[k] = v
	}
	s.mu.Unlock()
	return otlpSnapshot{Exports: s.Exports.Load(), Bytes: s.Bytes.Load(), Spans: s.Spans.Load(),
		BadBodies: s.BadBodies.Load(), StrayExports: s.StrayExports.Load(), Names: names, Headers: headers}
}

func (s *otlpStats) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/_bench/stats":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.snapshot())
	case r.Method == http.MethodPost && r.URL.Path == "/v1/traces":
		raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.Exports.Add(1)
		s.Bytes.Add(int64(len(raw)))
		body := raw
		if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
			body, err = gunzip(raw)
		}
		names := map[string]spanTally{}
		var spans int64
		if err == nil {
			spans, err = countSpans(body, names)
		}
		if err != nil {
			s.BadBodies.Add(1)
		}
		s.Spans.Add(spans)
		s.mu.Lock()
		for k, v := range names {
			t := s.names[k]
			t.Count, t.Attributes, t.Bytes = t.Count+v.Count, t.Attributes+v.Attributes, t.Bytes+v.Bytes
			s.names[k] = t
		}
		s.headers = map[string]string{"content-type": r.Header.Get("Content-Type"),
			"content-encoding": r.Header.Get("Content-Encoding"), "x-project-name": r.Header.Get("x-project-name")}
		s.mu.Unlock()
		// An empty ExportTraceServiceResponse: everything accepted.
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPost:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		s.StrayExports.Add(1)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func gunzip(raw []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(io.LimitReader(zr, 256<<20))
}

// countSpans walks an ExportTraceServiceRequest: resource_spans (1) -> scope_spans (2) -> spans (2) -> name (5)
// and attributes (9).
func countSpans(body []byte, names map[string]spanTally) (int64, error) {
	var spans int64
	err := eachField(body, func(num int, typ int, value []byte) error {
		if num != 1 || typ != 2 { // ResourceSpans
			return nil
		}
		return eachField(value, func(num int, typ int, value []byte) error {
			if num != 2 || typ != 2 { // ScopeSpans
				return nil
			}
			return eachField(value, func(num int, typ int, value []byte) error {
				if num != 2 || typ != 2 { // Span
					return nil
				}
				spans++
				name, attributes := "", int64(0)
				err := eachField(value, func(num int, typ int, value []byte) error {
					switch {
					case num == 5 && typ == 2:
						name = string(value)
					case num == 9 && typ == 2:
						attributes++
					}
					return nil
				})
				t := names[name]
				t.Count, t.Attributes, t.Bytes = t.Count+1, t.Attributes+attributes, t.Bytes+int64(len(value))
				names[name] = t
				return err
			})
		})
	})
	return spans, err
}

var errProtobuf = errors.New("malformed protobuf")

// eachField calls fn for every top-level field of a protobuf message; value is the payload of a length-delimited
// field (wire type 2) and nil for the others.
func eachField(msg []byte, fn func(num int, typ int, value []byte) error) error {
	for i := 0; i < len(msg); {
		tag, n := uvarint(msg[i:])
		if n <= 0 {
			return errProtobuf
		}
		i += n
		num, typ := int(tag>>3), int(tag&7)
		if num == 0 {
			return errProtobuf
		}
		var value []byte
		switch typ {
		case 0:
			_, n = uvarint(msg[i:])
			if n <= 0 {
				return errProtobuf
			}
			i += n
		case 1:
			i += 8
		case 5:
			i += 4
		case 2:
			length, n := uvarint(msg[i:])
			if n <= 0 || length > uint64(len(msg)-i-n) {
				return errProtobuf
			}
			i += n
			value = msg[i : i+int(length)]
			i += int(length)
		default:
			return errProtobuf
		}
		if i > len(msg) {
			return errProtobuf
		}
		if err := fn(num, typ, value); err != nil {
			return err
		}
	}
	return nil
}

// uvarint decodes a base-128 varint; n is the bytes it took, 0 when the input ends early, < 0 on overflow.
func uvarint(b []byte) (uint64, int) {
	var x uint64
	var shift uint
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, i + 1
		}
		shift += 7
	}
	return 0, 0
}

func runOTLP(args []string) error {
	fs := flag.NewFlagSet("otlp", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	portFile := fs.String("port-file", "", "write the port here once listening")
	_ = fs.Parse(args)
	listener, err := listenLoopback(*addr)
	if err != nil {
		return err
	}
	stats := &otlpStats{names: map[string]spanTally{}}
	server := &http.Server{Handler: stats, ReadHeaderTimeout: 10 * time.Second}
	port := listener.Addr().(*net.TCPAddr).Port
	if err := writePortFile(*portFile, port); err != nil {
		return err
	}
	fmt.Printf("OTLP receiver on 127.0.0.1:%d: POST /v1/traces answered 200 and counted\n", port)
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

func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to listen on %q: loopback addresses only", host)
	}
	return net.Listen("tcp", addr)
}

// writePortFile writes the port atomically (a rename), so that a reader never sees half of it.
func writePortFile(path string, port int) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path+".tmp", []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func otlpStatsOf(receiverURL string) (otlpSnapshot, error) {
	var snap otlpSnapshot
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(strings.TrimRight(receiverURL, "/") + "/_bench/stats")
	if err != nil {
		return snap, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&snap)
	return snap, err
}

// topNames lists span names by count, most frequent first.
func topNames(names map[string]spanTally) []string {
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if names[keys[i]].Count != names[keys[j]].Count {
			return names[keys[i]].Count > names[keys[j]].Count
		}
		return keys[i] < keys[j]
	})
	return keys
}
