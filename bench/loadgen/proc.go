package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

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

// statFields are the fields of /proc/<pid>/stat after the command name: fields[0] is the state (field 3 of the
// file), fields[1] the parent id, fields[11..14] utime, stime, cutime, cstime. Nil when the process is gone.
func statFields(pid string) []string {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil
	}
	text := string(raw)
	if i := strings.LastIndexByte(text, ')'); i >= 0 {
		text = text[i+1:]
	}
	return strings.Fields(text)
}

// ticksOf is the sum of the given stat fields, as CPU time (USER_HZ is 100 on Linux).
func ticksOf(fields []string, indices ...int) time.Duration {
	var ticks int64
	for _, i := range indices {
		if i < len(fields) {
			v, _ := strconv.ParseInt(fields[i], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// procCPU is utime+stime of a process from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	return ticksOf(statFields(strconv.Itoa(pid)), 11, 12)
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
