package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Goals the report shows beside the figures.
const (
	goalStreams       = 1000
	goalAddedTTFTp50  = 2.0 // ms
	goalPeakRSSMB     = 400.0
	goalFailureCount  = 0
	kBPerMB           = 1024.0
	notMeasuredMarker = "n/a"
)

func report(c benchConfig, phases []*phase, direct, service *phase, idleRSS, warmRSS, endRSS, hwm, sampledPeak int64) {
	fmt.Println()
	fmt.Println("== streaming benchmark: results ==")
	ramp := "all at once (released together)"
	if c.ramp > 0 {
		ramp = fmt.Sprintf("spread evenly over %v", c.ramp)
	}
	fmt.Printf("setup: %d tokens every %v per stream (~%.2f s), start: %s, one fresh TCP connection per stream, "+
		"stream timeout %v\n", c.tokens, c.interval, float64(c.tokens)*c.interval.Seconds(), ramp, c.timeout)
	fmt.Printf("JVM flags: %s\n", orNone(c.jvm))
	fmt.Println()

	fmt.Printf("%-14s %7s %6s %6s | %9s %9s %9s | %9s | %9s %9s | %6s | %5s %5s %5s %5s | %5s %6s %6s\n",
		"phase", "streams", "ok", "failed", "TTFT p50", "TTFT p99", "TTFT max", "svc p50", "dur p50", "dur p99", "wall",
		"cpuS", "cpuF", "cpuL", "cpuO", "upstr", "peakUp", "upConn")
	for _, p := range phases {
		secs := p.wall.Seconds()
		fmt.Printf("%-14s %7d %6d %6d | %9s %9s %9s | %9s | %9s %9s | %5.1fs | %5.2f %5.2f %5.2f %5.2f | %5d %6d %6d\n",
			p.name, p.streams, p.ok, p.streams-p.ok,
			msStr(pct(p.ttft, 50)), msStr(pct(p.ttft, 99)), msStr(pct(p.ttft, 100)), msStr(pct(p.serverTTFT, 50)),
			msStr(pct(p.duration, 50)), msStr(pct(p.duration, 99)), secs,
			p.cpu.service.Seconds()/secs, p.cpu.fake.Seconds()/secs, p.cpu.loadgen.Seconds()/secs,
			p.cpu.others().Seconds()/secs, p.fake.ChatRequests, p.fake.PeakStreams, p.fake.Connections)
	}
	fmt.Println("  TTFT: request sent -> first token read by the client; dur: request sent -> done read (successful " +
		"streams); svc: the service's own timeToFirstTokenMs (done event); times in ms; nearest-rank percentiles.")
	fmt.Println("  cpuS/cpuF/cpuL/cpuO: cores used on average by the service / fake Ollama / load generator / " +
		"everything else on the machine (it has 2 and is shared);")
	fmt.Println("  upstr: chat requests the fake got; peakUp: most concurrent streams at the fake; upConn: new TCP " +
		"connections to the fake.")

	for _, p := range phases {
		if len(p.reasons) == 0 {
			continue
		}
		fmt.Printf("\nfailures and notes, %s (%d streams):\n", p.name, p.streams)
		type count struct {
			reason string
			n      int
		}
		var counts []count
		for r, n := range p.reasons {
			counts = append(counts, count{r, n})
		}
		sort.Slice(counts, func(i, j int) bool { return counts[i].n > counts[j].n })
		for _, x := range counts {
			fmt.Printf("  %5d  %s\n", x.n, x.reason)
		}
	}

	fmt.Println()
	addedP50 := pct(service.ttft, 50) - pct(direct.ttft, 50)
	addedP99 := pct(service.ttft, 99) - pct(direct.ttft, 50)
	fmt.Printf("ADDED TTFT at %d streams (via-service TTFT percentile minus the direct TTFT p50 %s ms): "+
		"p50 %s ms, p99 %s ms  (p99 minus direct p99: %s ms)\n",
		c.streams, msStr(pct(direct.ttft, 50)), msStr(addedP50), msStr(addedP99),
		msStr(pct(service.ttft, 99)-pct(direct.ttft, 99)))
	for _, p := range phases {
		if p.name == "service-light" {
			var light *phase
			for _, q := range phases {
				if q.name == "direct-light" {
					light = q
				}
			}
			if light != nil {
				fmt.Printf("ADDED TTFT at %d streams (same method): p50 %s ms, p99 %s ms\n", p.streams,
					msStr(pct(p.ttft, 50)-pct(light.ttft, 50)), msStr(pct(p.ttft, 99)-pct(light.ttft, 50)))
			}
		}
	}
	if len(service.serverTTFT) > 0 {
		fmt.Printf("service's own timeToFirstTokenMs (done event; from the turn's start on a worker thread to "+
			"the first Ollama chunk): p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
			pct(service.serverTTFT, 50), pct(service.serverTTFT, 99), pct(service.serverTTFT, 100))
	}
	if len(service.cpuBySecond) > 0 {
		var parts []string
		for _, c := range service.cpuBySecond {
			parts = append(parts, fmt.Sprintf("%.1f", c))
		}
		fmt.Printf("service CPU second by second in the %d-stream phase (cores of 2): %s\n", c.streams,
			strings.Join(parts, " "))
	}
	fmt.Printf("fake Ollama during the %d-stream service phase: %d chat requests (%d completed, %d aborted), "+
		"peak %d concurrent streams, %d new connections (peak %d open), %d /api/tags, %d other requests\n",
		c.streams, service.fake.ChatRequests, service.fake.ChatCompleted, service.fake.ChatAborted,
		service.fake.PeakStreams, service.fake.Connections, service.fake.PeakConnections,
		service.fake.TagsRequests, service.fake.OtherRequests)
	fmt.Printf("service memory: VmRSS idle %s, after warm-up %s, peak sampled (every 100 ms) %s, at the end %s; "+
		"VmHWM %s; most threads %d (service phase)\n",
		mbStr(idleRSS), mbStr(warmRSS), mbStr(sampledPeak), mbStr(endRSS), mbStr(hwm), service.peakThreads)

	fmt.Println()
	fmt.Println("goals                         measured        goal")
	goal := func(name, measured, target string, met bool) {
		mark := "met"
		if !met {
			mark = "MISSED"
		}
		fmt.Printf("  %-26s %-15s %-14s %s\n", name, measured, target, mark)
	}
	goal("concurrent streams", fmt.Sprint(c.streams), fmt.Sprint(goalStreams), c.streams >= goalStreams)
	goal("failures (service)", fmt.Sprint(service.streams-service.ok), fmt.Sprint(goalFailureCount),
		service.streams-service.ok == goalFailureCount)
	goal("added TTFT p50", msStr(addedP50)+" ms", fmt.Sprintf("< %.0f ms", goalAddedTTFTp50),
		!math.IsNaN(addedP50) && addedP50 < goalAddedTTFTp50)
	peak := hwm
	if peak <= 0 {
		peak = sampledPeak
	}
	goal("peak RSS (VmHWM)", mbStr(peak), fmt.Sprintf("< %.0f MB", goalPeakRSSMB),
		peak > 0 && float64(peak)/kBPerMB < goalPeakRSSMB)
}

func msStr(v float64) string {
	if math.IsNaN(v) {
		return notMeasuredMarker
	}
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func mbStr(kb int64) string {
	if kb <= 0 {
		return notMeasuredMarker
	}
	return fmt.Sprintf("%.0f MB", float64(kb)/kBPerMB)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none: JVM defaults)"
	}
	return s
}
