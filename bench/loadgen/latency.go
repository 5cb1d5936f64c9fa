package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The telemetry benchmark (bench/telemetry.sh): two copies of the service run side by side against the same fast
// fake Ollama, one with telemetry off and one exporting to the counting OTLP receiver. Blocking chats
// (POST /api/chat) go to them in interleaved blocks (off, on, on, off, off, on, ...), so that drift of a shared
// machine falls on both alike; each block is one client on one keep-alive connection, one chat after the other.
// An optional concurrent phase does the same with several clients at once.

type latencyConfig struct {
	offURL, onURL, otlpURL, fakeURL string
	offPID, onPID, fakePID, otlpPID int
	n, block, warmup                int
	conc, concN, concWarmup         int
	timeout, deadline               time.Duration
	message, jvm, blocksCSV         string
	guideChatMs                     float64
}

// app is one copy of the service and the clients that talk to it.
type app struct {
	mode      string // "off" or "on"
	url       string
	pid       int
	clients   map[int]*http.Client // by the number of concurrent clients it serves: one connection each
	dials     atomic.Int64
	chats     atomic.Int64 // answered 200 with the fake's reply, warm-up included
	traced    atomic.Int64 // of those, replies that named a trace
	failures  sync.Map     // reason -> *atomic.Int64
	failCount atomic.Int64
}

func newApp(mode, url string, pid int) *app {
	return &app{mode: mode, url: strings.TrimRight(url, "/") + "/api/chat", pid: pid, clients: map[int]*http.Client{}}
}

// client is the HTTP client for n concurrent clients: at most n keep-alive connections, kept between blocks.
// Called before the block's goroutines start.
func (a *app) client(n int) *http.Client {
	if c, ok := a.clients[n]; ok {
		return c
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			a.dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxConnsPerHost:     n,
		MaxIdleConns:        n,
		MaxIdleConnsPerHost: n,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}}
	a.clients[n] = c
	return c
}

func (a *app) fail(reason string) {
	a.failCount.Add(1)
	counter, _ := a.failures.LoadOrStore(reason, new(atomic.Int64))
	counter.(*atomic.Int64).Add(1)
}

// chat sends one blocking chat and returns its latency: request sent -> whole reply read. ok is false on any
// failure (counted on the app).
func (a *app) chat(client *http.Client, body []byte, timeout time.Duration) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		a.fail("request: " + classify(err))
		return 0, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	started := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		a.fail("connect/request: " + classify(err))
		return 0, false
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	elapsed := time.Since(started)
	resp.Body.Close()
	if err != nil {
		a.fail("read: " + classify(err))
		return 0, false
	}
	if resp.StatusCode != http.StatusOK {
		a.fail(fmt.Sprintf("HTTP %d%s", resp.StatusCode, problemType(bytes.NewReader(raw))))
		return 0, false
	}
	var reply struct {
		Reply   string `json:"reply"`
		TraceID string `json:"traceId"`
	}
	if json.Unmarshal(raw, &reply) != nil || reply.Reply != blockingReply {
		a.fail("unexpected reply: " + digits.ReplaceAllString(string(raw[:minInt(len(raw), 120)]), "#"))
		return 0, false
	}
	a.chats.Add(1)
	if reply.TraceID != "" {
		a.traced.Add(1)
	}
	return elapsed, true
}

// block is one measured block: chats to one app, one client or several.
type block struct {
	mode      string
	latencies []float64 // ms
	wall      time.Duration
	cpuOwn    time.Duration // CPU time of the measured app during the block
	cpuOther  time.Duration // CPU time of the other app (idle, or exporting in the background)
}

// runBlock sends n chats to a, from clients concurrent clients, each one chat after the other.
func runBlock(a, other *app, body []byte, n, clients int, timeout time.Duration) block {
	b := block{mode: a.mode, latencies: make([]float64, 0, n)}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	client := a.client(clients)
	ownBefore, otherBefore := procCPU(a.pid), procCPU(other.pid)
	started := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]float64, 0, n/clients+1)
			for next.Add(1) <= int64(n) {
				if d, ok := a.chat(client, body, timeout); ok {
					local = append(local, ms(d))
				}
			}
			mu.Lock()
			b.latencies = append(b.latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.wall = time.Since(started)
	b.cpuOwn, b.cpuOther = procCPU(a.pid)-ownBefore, procCPU(other.pid)-otherBefore
	return b
}

// phaseResult is one phase (sequential or concurrent) of interleaved blocks.
type phaseResult struct {
	name    string
	clients int
	blocks  []block
	partial bool
	wall    time.Duration
	others  time.Duration // CPU time of every process outside the benchmark over the phase (the machine is shared)
}

func runInterleaved(name string, off, on *app, body []byte, perMode, blockSize, clients int, timeout time.Duration,
	deadline time.Time) (p phaseResult) {
	p = phaseResult{name: name, clients: clients}
	pids := []int{off.pid, on.pid, benchPIDs.fake, benchPIDs.otlp}
	machine0, ours0, started := machineBusy(), benchCPU(pids), time.Now()
	defer func() { // named result: the figures of the whole phase
		p.wall = time.Since(started)
		p.others = machineBusy() - machine0 - (benchCPU(pids) - ours0)
		if p.others < 0 {
			p.others = 0
		}
	}()
	pairs := (perMode + blockSize - 1) / blockSize
	for i := 0; i < pairs; i++ {
		if time.Now().After(deadline) {
			p.partial = true
			break
		}
		size := minInt(blockSize, perMode-i*blockSize)
		order := []*app{off, on}
		if i%2 == 1 { // ABBA: off on | on off | off on ...
			order = []*app{on, off}
		}
		for j, a := range order {
			p.blocks = append(p.blocks, runBlock(a, order[1-j], body, size, clients, timeout))
		}
	}
	return p
}

// benchPIDs are the helpers' pids, for benchCPU.
var benchPIDs struct{ fake, otlp int }

// benchCPU is the CPU time of the benchmark's own processes: the given ones and this one.
func benchCPU(pids []int) time.Duration {
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	total := time.Duration(self.Utime.Nano() + self.Stime.Nano())
	for _, pid := range pids {
		total += procCPU(pid)
	}
	return total
}

type modeStats struct {
	n                   int
	p50, p90, p99, mean float64
	min, max            float64
	wall, cpuOwn, cpuBg time.Duration
}

func (p phaseResult) stats(mode string) modeStats {
	var all []float64
	var s modeStats
	for _, b := range p.blocks {
		if b.mode == mode {
			all = append(all, b.latencies...)
			s.wall += b.wall
			s.cpuOwn += b.cpuOwn
		} else {
			s.cpuBg += b.cpuOther
		}
	}
	sort.Float64s(all)
	s.n = len(all)
	s.p50, s.p90, s.p99 = pct(all, 50), pct(all, 90), pct(all, 99)
	s.mean, s.min, s.max = math.NaN(), math.NaN(), math.NaN()
	if len(all) > 0 {
		sum := 0.0
		for _, v := range all {
			sum += v
		}
		s.mean, s.min, s.max = sum/float64(len(all)), all[0], all[len(all)-1]
	}
	return s
}

// pairedP50Diffs is, for each off/on pair of blocks, the on block's p50 minus the off block's.
func (p phaseResult) pairedP50Diffs() []float64 {
	var diffs []float64
	for i := 0; i+1 < len(p.blocks); i += 2 {
		offB, onB := p.blocks[i], p.blocks[i+1]
		if offB.mode == "on" {
			offB, onB = onB, offB
		}
		a, b := sorted(offB.latencies), sorted(onB.latencies)
		if len(a) > 0 && len(b) > 0 {
			diffs = append(diffs, pct(b, 50)-pct(a, 50))
		}
	}
	sort.Float64s(diffs)
	return diffs
}

// interval is a 95 % interval of a difference, from a bootstrap over the block pairs.
type interval struct{ lo, hi, loPct, hiPct float64 }

// bootstrapP50Diff resamples whole off/on block pairs (so that a burst of noise stays with its blocks) and takes
// p50(on) - p50(off) of each resample, in ms and in % of p50(off). Fixed seed: the same blocks give the same interval.
func (p phaseResult) bootstrapP50Diff(reps int) interval {
	type pair struct{ off, on []float64 }
	var pairs []pair
	for i := 0; i+1 < len(p.blocks); i += 2 {
		a, b := p.blocks[i], p.blocks[i+1]
		if a.mode == "on" {
			a, b = b, a
		}
		if len(a.latencies) > 0 && len(b.latencies) > 0 {
			pairs = append(pairs, pair{a.latencies, b.latencies})
		}
	}
	if len(pairs) < 2 {
		return interval{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	}
	rng := rand.New(rand.NewSource(1))
	diffs, pcts := make([]float64, reps), make([]float64, reps)
	var offs, ons []float64
	for r := 0; r < reps; r++ {
		offs, ons = offs[:0], ons[:0]
		for range pairs {
			pr := pairs[rng.Intn(len(pairs))]
			offs, ons = append(offs, pr.off...), append(ons, pr.on...)
		}
		sort.Float64s(offs)
		sort.Float64s(ons)
		diffs[r] = pct(ons, 50) - pct(offs, 50)
		pcts[r] = pctOf(pct(ons, 50), pct(offs, 50))
	}
	sort.Float64s(diffs)
	sort.Float64s(pcts)
	return interval{pct(diffs, 2.5), pct(diffs, 97.5), pct(pcts, 2.5), pct(pcts, 97.5)}
}

func sorted(v []float64) []float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c
}

func runLatency(args []string) error {
	fs := flag.NewFlagSet("latency", flag.ExitOnError)
	var c latencyConfig
	fs.StringVar(&c.offURL, "off", "", "base URL of the service with telemetry off")
	fs.StringVar(&c.onURL, "on", "", "base URL of the service with telemetry on")
	fs.StringVar(&c.otlpURL, "otlp", "", "base URL of the counting OTLP receiver (loadgen otlp)")
	fs.StringVar(&c.fakeURL, "fake", "", "base URL of the fake Ollama (for its counters)")
	fs.IntVar(&c.offPID, "off-pid", 0, "pid of the telemetry-off service (CPU time)")
	fs.IntVar(&c.onPID, "on-pid", 0, "pid of the telemetry-on service (CPU time)")
	fs.IntVar(&c.fakePID, "fake-pid", 0, "pid of the fake Ollama (to tell the rest of the machine's CPU use)")
	fs.IntVar(&c.otlpPID, "otlp-pid", 0, "pid of the OTLP receiver (likewise)")
	fs.IntVar(&c.n, "n", 5000, "measured sequential chats per mode")
	fs.IntVar(&c.block, "block", 100, "chats per block (blocks alternate off/on)")
	fs.IntVar(&c.warmup, "warmup", 2000, "sequential warm-up chats per mode")
	fs.IntVar(&c.conc, "conc", 4, "clients of the concurrent phase (0: no concurrent phase)")
	fs.IntVar(&c.concN, "conc-n", 2000, "measured concurrent chats per mode")
	fs.IntVar(&c.concWarmup, "conc-warmup", 400, "concurrent warm-up chats per mode")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "longest one chat may take")
	fs.DurationVar(&c.deadline, "deadline", 150*time.Second, "stop starting blocks after this (then report)")
	fs.StringVar(&c.message, "message", "hi", "the chat message")
	fs.StringVar(&c.jvm, "jvm", "", "the JVM flags, for the report")
	fs.StringVar(&c.blocksCSV, "blocks-csv", "", "write every measured block's figures to this CSV file")
	fs.Float64Var(&c.guideChatMs, "guide-chat-ms", 250, "a chat's length in the guide's claim (+2 ms = 0.8 %)")
	_ = fs.Parse(args)
	for _, u := range []string{c.offURL, c.onURL, c.otlpURL} {
		if err := requireLoopback(u); err != nil {
			return err
		}
	}
	if c.fakeURL != "" {
		if err := requireLoopback(c.fakeURL); err != nil {
			return err
		}
	}
	if c.n < 1 || c.block < 1 || c.warmup < 0 || c.conc < 0 || c.concN < 0 || c.concWarmup < 0 {
		return errors.New("-n and -block must be >= 1; -warmup, -conc, -conc-n and -conc-warmup >= 0")
	}
	debug.SetGCPercent(400) // fewer collections in the client while it times chats
	benchPIDs.fake, benchPIDs.otlp = c.fakePID, c.otlpPID
	deadline := time.Now().Add(c.deadline)
	body, _ := json.Marshal(map[string]string{"message": c.message})
	off, on := newApp("off", c.offURL, c.offPID), newApp("on", c.onURL, c.onPID)
	fake0 := fakeStatsOf(c.fakeURL, false)
	began := time.Now()

	// Warm-up: the same number of chats to each, in alternating chunks, so that both JIT-compile alike.
	fmt.Printf("warm-up: %d sequential chats per mode", c.warmup)
	if c.conc > 0 && c.concN > 0 {
		fmt.Printf(", then %d with %d clients", c.concWarmup, c.conc)
	}
	fmt.Println(" ...")
	warm := runInterleaved("warm-up", off, on, body, c.warmup, 500, 1, c.timeout, deadline)
	if c.conc > 0 && c.concN > 0 && c.concWarmup > 0 {
		runInterleaved("warm-up", off, on, body, c.concWarmup, c.concWarmup, c.conc, c.timeout, deadline)
	}
	if c.warmup > 0 && (off.chats.Load() == 0 || on.chats.Load() == 0) {
		printFailures(off, on)
		return errors.New("warm-up: a service answered no chat with the fake's reply")
	}
	w := warm.stats("off")
	w2 := warm.stats("on")
	fmt.Printf("warm-up done in %.1f s (p50 off %.3f ms, on %.3f ms)%s\n", time.Since(began).Seconds(), w.p50, w2.p50,
		map[bool]string{true: "; CUT SHORT by the time budget", false: ""}[warm.partial])
	otlpWarm, _ := otlpStatsOf(c.otlpURL)

	fmt.Printf("sequential: %d chats per mode, blocks of %d, one client on one keep-alive connection ...\n",
		c.n, c.block)
	t0 := time.Now()
	seq := runInterleaved("sequential", off, on, body, c.n, c.block, 1, c.timeout, deadline)
	fmt.Printf("sequential done in %.1f s\n", time.Since(t0).Seconds())
	if len(seq.blocks) < 2 {
		return fmt.Errorf("the time budget (-deadline %v) ran out before a block pair was measured", c.deadline)
	}
	var conc phaseResult
	if c.conc > 0 && c.concN > 0 {
		fmt.Printf("concurrent: %d chats per mode, blocks of %d, %d clients ...\n", c.concN, c.block, c.conc)
		t0 = time.Now()
		conc = runInterleaved("concurrent", off, on, body, c.concN, c.block, c.conc, c.timeout, deadline)
		fmt.Printf("concurrent done in %.1f s\n", time.Since(t0).Seconds())
	}
	chatsEnd := on.chats.Load()

	// The exporter sends what is left in its queue on its schedule (5 s by default): wait for that export, at most
	// 6 s, so that the span count covers every chat.
	otlpEnd, err := otlpStatsOf(c.otlpURL)
	if err == nil {
		waitUntil := time.Now().Add(6 * time.Second)
		for time.Now().Before(waitUntil) {
			time.Sleep(250 * time.Millisecond)
			now, err := otlpStatsOf(c.otlpURL)
			if err != nil {
				break
			}
			if now.Exports > otlpEnd.Exports {
				time.Sleep(500 * time.Millisecond)
				otlpEnd, _ = otlpStatsOf(c.otlpURL)
				break
			}
		}
	}
	fake := fakeStatsOf(c.fakeURL, false).minus(fake0)

	latencyReport(c, seq, conc, off, on, otlpWarm, otlpEnd, chatsEnd, fake, time.Since(began))
	if c.blocksCSV != "" {
		if err := writeBlocksCSV(c.blocksCSV, seq, conc); err != nil {
			return err
		}
	}
	return nil
}

// writeBlocksCSV writes one line per measured block, in the order they ran, to look for drift.
func writeBlocksCSV(path string, phases ...phaseResult) error {
	var b strings.Builder
	b.WriteString("phase,block,mode,chats,p50_ms,p90_ms,p99_ms,mean_ms,wall_ms,cpu_own_ms,cpu_other_ms\n")
	for _, p := range phases {
		for i, blk := range p.blocks {
			v := sorted(blk.latencies)
			mean := math.NaN()
			if len(v) > 0 {
				sum := 0.0
				for _, x := range v {
					sum += x
				}
				mean = sum / float64(len(v))
			}
			fmt.Fprintf(&b, "%s,%d,%s,%d,%.4f,%.4f,%.4f,%.4f,%.1f,%d,%d\n", p.name, i, blk.mode, len(v), pct(v, 50),
				pct(v, 90), pct(v, 99), mean, ms(blk.wall), blk.cpuOwn.Milliseconds(), blk.cpuOther.Milliseconds())
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func printFailures(apps ...*app) {
	for _, a := range apps {
		a.failures.Range(func(reason, n any) bool {
			fmt.Printf("  %s: %d x %s\n", a.mode, n.(*atomic.Int64).Load(), reason)
			return true
		})
	}
}

func latencyReport(c latencyConfig, seq, conc phaseResult, off, on *app, otlpWarm, otlpEnd otlpSnapshot,
	chatsOn int64, fake fakeSnapshot, took time.Duration) {
	fmt.Println()
	fmt.Println("=== Telemetry overhead: POST /api/chat {\"message\":\"" + c.message + "\"}, fast fake Ollama ===")
	if c.jvm != "" {
		fmt.Println("JVM flags (both):", c.jvm)
	}
	goalP50, goalPct, pairMedian := math.NaN(), math.NaN(), math.NaN()
	ci := interval{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	for i, p := range []phaseResult{seq, conc} {
		if len(p.blocks) == 0 {
			continue
		}
		so, sn := p.stats("off"), p.stats("on")
		fmt.Println()
		clients := "1 client, keep-alive, one chat after the other"
		if p.clients > 1 {
			clients = fmt.Sprintf("%d clients at once, keep-alive", p.clients)
		}
		fmt.Printf("%s (%s), %d blocks, interleaved off/on/on/off%s\n", p.name, clients, len(p.blocks),
			map[bool]string{true: "; STOPPED EARLY (time budget)", false: ""}[p.partial])
		fmt.Printf("  other processes on the machine used %.2f of its %d cores on average meanwhile\n",
			p.others.Seconds()/p.wall.Seconds(), runtime.NumCPU())
		fmt.Printf("  %-6s %6s %9s %9s %9s %9s %9s %10s %12s\n", "mode", "chats", "p50 ms", "p90 ms", "p99 ms",
			"mean ms", "max ms", "chats/s", "CPU ms/chat")
		for _, s := range []struct {
			name string
			m    modeStats
		}{{"off", so}, {"on", sn}} {
			fmt.Printf("  %-6s %6d %9.3f %9.3f %9.3f %9.3f %9.2f %10.0f %12.3f\n", s.name, s.m.n, s.m.p50, s.m.p90,
				s.m.p99, s.m.mean, s.m.max, float64(s.m.n)/s.m.wall.Seconds(), cpuPerChat(s.m))
		}
		fmt.Printf("  %-6s %6s %+9.3f %+9.3f %+9.3f %+9.3f %9s %+9.1f%% %+12.3f\n", "on-off", "", sn.p50-so.p50,
			sn.p90-so.p90, sn.p99-so.p99, sn.mean-so.mean, "", 100*(float64(sn.n)/sn.wall.Seconds()/
				(float64(so.n)/so.wall.Seconds())-1), cpuPerChat(sn)-cpuPerChat(so))
		fmt.Printf("  %-6s %6s %+8.1f%% %+8.1f%% %+8.1f%% %+8.1f%%\n", "", "", pctOf(sn.p50, so.p50),
			pctOf(sn.p90, so.p90), pctOf(sn.p99, so.p99), pctOf(sn.mean, so.mean))
		diffs := p.pairedP50Diffs()
		if len(diffs) > 0 {
			slower := 0
			for _, d := range diffs {
				if d > 0 {
					slower++
				}
			}
			fmt.Printf("  block pairs: p50(on) - p50(off) median %+.3f ms, middle half %+.3f .. %+.3f ms, on slower "+
				"in %d of %d pairs\n", pct(diffs, 50), pct(diffs, 25), pct(diffs, 75), slower, len(diffs))
		}
		if len(p.blocks) >= 4 {
			iv := p.bootstrapP50Diff(400)
			fmt.Printf("  p50(on) - p50(off), 95 %% interval (bootstrap over the block pairs): %+.3f .. %+.3f ms, "+
				"%+.1f .. %+.1f %%\n", iv.lo, iv.hi, iv.loPct, iv.hiPct)
			if i == 0 {
				ci = iv
			}
		}
		fmt.Printf("  CPU ms/chat: the app's CPU time in its own blocks per chat; the on app also used %.0f ms "+
			"(off app %.0f ms) while the other was measured\n", float64(sn.cpuBg.Milliseconds()),
			float64(so.cpuBg.Milliseconds()))
		if i == 0 {
			goalP50, goalPct = sn.p50-so.p50, pctOf(sn.p50, so.p50)
			if len(diffs) > 0 {
				pairMedian = pct(diffs, 50)
			}
		}
	}

	fmt.Println()
	spans := otlpEnd.Spans
	fmt.Printf("OTLP receiver (telemetry on): %d exports, %.1f MB, %d spans for %d chats = %.2f spans/chat",
		otlpEnd.Exports, float64(otlpEnd.Bytes)/1e6, spans, chatsOn, float64(spans)/math.Max(1, float64(chatsOn)))
	if otlpEnd.Exports > 0 {
		fmt.Printf(", %.0f spans and %.0f kB per export", float64(spans)/float64(otlpEnd.Exports),
			float64(otlpEnd.Bytes)/float64(otlpEnd.Exports)/1e3)
	}
	fmt.Println()
	if n := otlpEnd.Exports - otlpWarm.Exports; n >= 0 {
		fmt.Printf("  during the measured phases: %d exports, %d spans\n", n, otlpEnd.Spans-otlpWarm.Spans)
	}
	fmt.Println("  per chat, by span name (attributes and protobuf bytes per span):")
	for _, name := range topNames(otlpEnd.Names) {
		t := otlpEnd.Names[name]
		fmt.Printf("    %5.2f x %-45s %5.1f attributes %7.0f B\n", float64(t.Count)/math.Max(1, float64(chatsOn)),
			name, float64(t.Attributes)/float64(t.Count), float64(t.Bytes)/float64(t.Count))
	}
	fmt.Printf("  content type %q, encoding %q, project %q; undecodable bodies %d\n", otlpEnd.Headers["content-type"],
		otlpEnd.Headers["content-encoding"], otlpEnd.Headers["x-project-name"], otlpEnd.BadBodies)
	fmt.Printf("  exports from the telemetry-off service (must be 0): %d\n", otlpEnd.StrayExports)
	fmt.Printf("replies naming a trace: off %d of %d, on %d of %d\n", off.traced.Load(), off.chats.Load(),
		on.traced.Load(), on.chats.Load())
	fmt.Printf("connections opened (one per client, kept alive): off %d, on %d; failed chats: off %d, on %d\n",
		off.dials.Load(), on.dials.Load(), off.failCount.Load(), on.failCount.Load())
	printFailures(off, on)
	if c.fakeURL != "" {
		fmt.Printf("fake Ollama: %d chats, %d of them \"stream\":false\n", fake.ChatRequests, fake.BlockingChats)
	}
	telemetryOn := otlpEnd.Exports > 0 && spans > 0 && otlpEnd.StrayExports == 0
	fmt.Println()
	fmt.Printf("%-34s %-10s %-12s %-22s %s\n", "Goal (sequential p50)", "target", "measured", "95 % interval",
		"verdict")
	fmt.Printf("%-34s %-10s %+9.3f ms %+8.3f .. %+.3f ms   %s\n", "added per chat", "< 0.2 ms", goalP50, ci.lo, ci.hi,
		verdict(goalP50, ci.lo, ci.hi, 0.2))
	fmt.Printf("%-34s %-10s %+9.3f ms\n", "  (median of the block pairs)", "< 0.2 ms", pairMedian)
	fmt.Printf("%-34s %-10s %+9.2f %%  %+8.1f .. %+.1f %%      %s\n", "added, share of the chat", "< 1 %", goalPct,
		ci.loPct, ci.hiPct, verdict(goalPct, ci.loPct, ci.hiPct, 1))
	fmt.Printf("%-34s %-10s %+9.3f %%\n", fmt.Sprintf("  share of a %.0f ms chat (guide)", c.guideChatMs), "< 1 %",
		100*goalP50/c.guideChatMs)
	fmt.Printf("%-34s %-10s %9s\n", "telemetry really on (exports > 0)", "yes", map[bool]string{true: "yes",
		false: "NO"}[telemetryOn])
	fmt.Printf("(the guide claimed +2 ms, 0.8 %%; finished in %.0f s)\n", took.Seconds())
}

func cpuPerChat(s modeStats) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return ms(s.cpuOwn) / float64(s.n)
}

func pctOf(on, off float64) float64 { return 100 * (on - off) / off }

// verdict compares a measured difference and its interval with a goal: met, missed, or within the noise.
func verdict(measured, lo, hi, goal float64) string {
	switch {
	case math.IsNaN(measured):
		return "n/a"
	case math.IsNaN(lo) || math.IsNaN(hi):
		if measured < goal {
			return "met"
		}
		return "MISSED"
	case hi < goal:
		return "met"
	case lo >= goal:
		return "MISSED"
	case measured < goal:
		return "met (not certain: the interval reaches the goal)"
	default:
		return "MISSED (not certain: the interval reaches below the goal)"
	}
}

// minInt is min for ints (the loadgen builds with Go 1.19, Debian 12's, which has no min builtin).
func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
