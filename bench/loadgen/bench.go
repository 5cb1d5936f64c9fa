package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type benchConfig struct {
	fakeURL, serviceURL string
	servicePID, fakePID int
	streams, tokens     int
	interval            time.Duration
	warmup, warmupRuns  int
	light               int
	serviceRounds       int
	ramp, timeout       time.Duration
	settle              time.Duration
	model               string
	jvm                 string
}

func runBench(args []string) error {
	var c benchConfig
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	fs.StringVar(&c.fakeURL, "fake", "", "fake Ollama base URL")
	fs.StringVar(&c.serviceURL, "service", "", "service base URL")
	fs.IntVar(&c.servicePID, "pid", 0, "service process id (for RSS and CPU)")
	fs.IntVar(&c.fakePID, "fake-pid", 0, "fake Ollama process id (for CPU)")
	fs.IntVar(&c.streams, "streams", 1000, "concurrent streams in the measured phases")
	fs.IntVar(&c.tokens, "tokens", 200, "tokens per stream (as the fake sends)")
	fs.DurationVar(&c.interval, "interval", 10*time.Millisecond, "the fake's pause between tokens (for the report)")
	fs.IntVar(&c.warmup, "warmup", 50, "concurrent streams per warm-up round through the service")
	fs.IntVar(&c.warmupRuns, "warmup-rounds", 4, "warm-up rounds")
	fs.IntVar(&c.light, "light", 50, "streams of the light-load phases (0: skip them)")
	fs.IntVar(&c.serviceRounds, "service-rounds", 2,
		"full-size rounds through the service; the last one is the measured one (the first warms the burst up)")
	fs.DurationVar(&c.ramp, "ramp", 0, "spread the start of the streams evenly over this time (0: all at once)")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "longest time one stream may take")
	fs.DurationVar(&c.settle, "settle", time.Second, "pause between phases")
	fs.StringVar(&c.model, "model", "bench-model", "model name the fake answers as")
	fs.StringVar(&c.jvm, "jvm", "", "the service's JVM flags, for the report")
	_ = fs.Parse(args)
	for _, u := range []string{c.fakeURL, c.serviceURL} {
		if err := requireLoopback(u); err != nil {
			return err
		}
	}
	if c.streams < 1 || c.tokens < 1 {
		return errors.New("-streams and -tokens must be >= 1")
	}

	exp := expectations{tokens: c.tokens, model: c.model}
	direct := directTarget(c.fakeURL, exp)
	service := serviceTarget(c.serviceURL, exp)
	client := newClient(c.streams)
	sampler := startSampler(c.servicePID, 100*time.Millisecond)
	idleRSS := sampler.current()

	fmt.Printf("warm-up: %d round(s) of %d concurrent streams through the service, then %d direct\n",
		c.warmupRuns, c.warmup, c.warmup)
	warmOK := 0
	for i := 0; i < c.warmupRuns; i++ {
		results, _ := runStreams(client, service, c.warmup, 0, c.timeout)
		ok := countOK(results)
		warmOK += ok
		fmt.Printf("  round %d: %d/%d ok%s\n", i+1, ok, len(results), reasonsInline(results))
	}
	results, _ := runStreams(client, direct, c.warmup, 0, c.timeout)
	fmt.Printf("  direct: %d/%d ok%s\n", countOK(results), len(results), reasonsInline(results))
	if c.warmupRuns > 0 && warmOK == 0 {
		return errors.New("no warm-up stream through the service succeeded: the benchmark cannot measure anything")
	}
	if countOK(results) == 0 {
		return errors.New("no warm-up stream to the fake Ollama succeeded")
	}
	warmRSS := sampler.current()

	var phases []*phase
	run := func(name string, t target, n int) *phase {
		time.Sleep(c.settle)
		if c.servicePID > 0 && !processAlive(c.servicePID) {
			fmt.Printf("!! the service process %d is gone before phase %s\n", c.servicePID, name)
		}
		p := &phase{name: name, streams: n}
		before := fakeStatsOf(c.fakeURL, true)
		cpu0 := cpuNow(c.servicePID, c.fakePID)
		sampler.resetPhase()
		fmt.Printf("phase %-16s %4d concurrent streams ... ", name, n)
		p.results, p.wall = runStreams(client, t, n, c.ramp, c.timeout)
		p.peakRSS, p.peakThreads = sampler.phasePeak()
		p.cpuBySecond = sampler.phaseCPUBySecond()
		p.cpu = cpuNow(c.servicePID, c.fakePID).minus(cpu0)
		p.fake = fakeStatsOf(c.fakeURL, false).minus(before)
		p.summarize()
		fmt.Printf("%d ok, %d failed, %.1f s\n", p.ok, p.streams-p.ok, p.wall.Seconds())
		phases = append(phases, p)
		return p
	}
	if c.light > 0 {
		run("direct-light", direct, c.light)
		run("service-light", service, c.light)
	}
	directMain := run("direct", direct, c.streams)
	for i := 1; i < c.serviceRounds; i++ {
		run(fmt.Sprintf("service-burst%d", i), service, c.streams)
	}
	serviceMain := run("service", service, c.streams)
	time.Sleep(200 * time.Millisecond)
	hwm := procStatusKB(c.servicePID, "VmHWM")
	endRSS := sampler.current()
	sampler.stop()

	report(c, phases, directMain, serviceMain, idleRSS, warmRSS, endRSS, hwm, sampler.overallPeak())
	return nil
}

func processAlive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}

func requireLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("bad URL %q", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing %q: the benchmark only talks to loopback addresses", raw)
	}
	return nil
}

// phase is one measured round of concurrent streams.
type phase struct {
	name        string
	streams     int
	results     []streamResult
	wall        time.Duration
	ok          int
	ttft        []float64 // ms, every stream that got a first token
	duration    []float64 // ms, successful streams
	serverTTFT  []float64 // ms, from the service's done event
	warned      int
	reasons     map[string]int
	peakRSS     int64 // kB
	peakThreads int64
	cpu         cpuTimes
	cpuBySecond []float64 // the service's cores used, second by second
	fake        fakeSnapshot
}

func (p *phase) summarize() {
	p.reasons = map[string]int{}
	for _, r := range p.results {
		if r.ttft >= 0 {
			p.ttft = append(p.ttft, ms(r.ttft))
		}
		if r.ok {
			p.ok++
			p.duration = append(p.duration, ms(r.duration))
		} else {
			p.reasons[r.reason]++
		}
		if r.serverTTFTms >= 0 {
			p.serverTTFT = append(p.serverTTFT, r.serverTTFTms)
		}
		if len(r.warnings) > 0 {
			p.warned++
			p.reasons["(ok but warned) "+digits.ReplaceAllString(r.warnings[0], "#")]++
		}
	}
	sort.Float64s(p.ttft)
	sort.Float64s(p.duration)
	sort.Float64s(p.serverTTFT)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pct is the nearest-rank percentile of sorted values; NaN when there are none.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
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

func reasonsInline(results []streamResult) string {
	counts := map[string]int{}
	for _, r := range results {
		if !r.ok {
			counts[r.reason]++
		}
	}
	if len(counts) == 0 {
		return ""
	}
	var parts []string
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%d x %s", n, reason))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, "; ") + ")"
}

// --- the service's memory: VmRSS sampled while the benchmark runs, VmHWM at the end ---

type sampler struct {
	pid         int
	mu          sync.Mutex
	peak        int64
	phaseRSS    int64
	phaseThread int64
	phaseStart  time.Time
	phaseCPU    []time.Duration // the service's CPU time at each whole second of the phase
	quit        chan struct{}
	wg          sync.WaitGroup
}

func startSampler(pid int, every time.Duration) *sampler {
	s := &sampler{pid: pid, quit: make(chan struct{})}
	if pid <= 0 {
		return s
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) sample() {
	values := procStatus(s.pid, "VmRSS", "Threads")
	rss, threads := values["VmRSS"], values["Threads"]
	cpu := procCPU(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.phaseStart.IsZero() && time.Since(s.phaseStart) >= time.Duration(len(s.phaseCPU))*time.Second {
		s.phaseCPU = append(s.phaseCPU, cpu)
	}
	s.peak = max64(s.peak, rss)
	s.phaseRSS = max64(s.phaseRSS, rss)
	s.phaseThread = max64(s.phaseThread, threads)
}

func (s *sampler) current() int64 {
	if s.pid <= 0 {
		return -1
	}
	return procStatusKB(s.pid, "VmRSS")
}

func (s *sampler) resetPhase() {
	s.mu.Lock()
	s.phaseRSS, s.phaseThread = 0, 0
	s.phaseStart, s.phaseCPU = time.Now(), nil
	s.mu.Unlock()
	if s.pid > 0 {
		s.sample()
	}
}

func (s *sampler) phasePeak() (int64, int64) {
	if s.pid > 0 {
		s.sample()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phaseRSS, s.phaseThread
}

// phaseCPUBySecond is the service's CPU use in each second of the phase so far, in cores.
func (s *sampler) phaseCPUBySecond() []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cores []float64
	for i := 1; i < len(s.phaseCPU); i++ {
		cores = append(cores, (s.phaseCPU[i] - s.phaseCPU[i-1]).Seconds())
	}
	return cores
}

func (s *sampler) overallPeak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *sampler) stop() {
	close(s.quit)
	s.wg.Wait()
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// procStatus reads numeric fields (kB for memory) of /proc/<pid>/status; a missing field reads -1.
func procStatus(pid int, fields ...string) map[string]int64 {
	values := map[string]int64{}
	for _, f := range fields {
		values[f] = -1
	}
	file, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return values
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		name, rest, found := strings.Cut(scanner.Text(), ":")
		if _, wanted := values[name]; !found || !wanted {
			continue
		}
		if parts := strings.Fields(rest); len(parts) > 0 {
			if v, err := strconv.ParseInt(parts[0], 10, 64); err == nil {
				values[name] = v
			}
		}
	}
	return values
}

func procStatusKB(pid int, field string) int64 {
	if pid <= 0 {
		return -1
	}
	return procStatus(pid, field)[field]
}

// --- CPU time of the service, the fake and this load generator over a phase ---

type cpuTimes struct {
	service, fake, loadgen time.Duration
	machine                time.Duration // every CPU of the machine, busy (steal included)
}

func (a cpuTimes) minus(b cpuTimes) cpuTimes {
	return cpuTimes{a.service - b.service, a.fake - b.fake, a.loadgen - b.loadgen, a.machine - b.machine}
}

// others is the CPU time the rest of the machine used: processes outside the benchmark (the machine is shared).
func (a cpuTimes) others() time.Duration {
	o := a.machine - a.service - a.fake - a.loadgen
	if o < 0 {
		return 0
	}
	return o
}

func cpuNow(servicePID, fakePID int) cpuTimes {
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	own := time.Duration(self.Utime.Nano() + self.Stime.Nano())
	return cpuTimes{service: procCPU(servicePID), fake: procCPU(fakePID), loadgen: own, machine: machineBusy()}
}

// machineBusy is the busy time of all CPUs from /proc/stat: user, nice, system, irq, softirq and steal.
func machineBusy() time.Duration {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseInt(fields[i], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// procCPU is utime+stime of a process from /proc/<pid>/stat (USER_HZ is 100 on Linux).
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	text := string(raw)
	if i := strings.LastIndexByte(text, ')'); i >= 0 {
		text = text[i+1:]
	}
	fields := strings.Fields(text) // fields[0] is the state (field 3 of the file)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// --- the fake's counters ---

func fakeStatsOf(fakeURL string, reset bool) fakeSnapshot {
	var snap fakeSnapshot
	u := strings.TrimRight(fakeURL, "/") + "/_bench/stats"
	if reset {
		u += "?reset=1"
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		return snap
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&snap)
	return snap
}

// minus turns cumulative counters into the phase's; peaks and gauges are kept as they are.
func (a fakeSnapshot) minus(b fakeSnapshot) fakeSnapshot {
	a.ChatRequests -= b.ChatRequests
	a.ChatCompleted -= b.ChatCompleted
	a.ChatAborted -= b.ChatAborted
	a.Connections -= b.Connections
	a.TagsRequests -= b.TagsRequests
	a.OtherRequests -= b.OtherRequests
	a.BlockingChats -= b.BlockingChats
	return a
}

// --- small commands for the script ---

func runFreePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

// runWait polls a URL until it answers 200, or fails after the timeout.
func runWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	target := fs.String("url", "", "URL that must answer 200")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after")
	pid := fs.Int("pid", 0, "give up at once when this process is gone")
	every := fs.Duration("every", 250*time.Millisecond, "pause between tries")
	_ = fs.Parse(args)
	if err := requireLoopback(*target); err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(*timeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		if *pid > 0 {
			if !processAlive(*pid) {
				return fmt.Errorf("process %d exited while waiting for %s", *pid, *target)
			}
		}
		resp, err := client.Get(*target)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = classify(err)
		}
		time.Sleep(*every)
	}
	return fmt.Errorf("%s did not answer 200 within %v (last: %s)", *target, *timeout, last)
}
