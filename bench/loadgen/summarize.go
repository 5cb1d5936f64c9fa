package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// summarize turns the relay benchmark's JSON lines (one per system and repetition) into bench/results.md: the
// median over the repetitions of every figure, "added" figures taken against the direct baseline of the same
// repetition first.

type column struct {
	head   string
	metric string
	added  bool // minus the direct baseline of the same repetition
	format string
}

var summaryColumns = []column{
	{"non-stream c=1: added p50 ms", "ns_p50", true, "%+.2f"},
	{"added p99 ms", "ns_p99", true, "%+.2f"},
	{"added p99.9 ms", "ns_p999", true, "%+.2f"},
	{"c=64 req/s", "c64_rps", false, "%.0f"},
	{"c=64 CPU ms/chat", "c64_cpu_ms", false, "%.2f"},
	{"stream c=1: added TTFT p50 ms", "st_ttft_p50", true, "%+.2f"},
	{"100×200 @20 ms: CPU µs/token", "mid_cpu_us_token", false, "%.0f"},
	{"peak RSS MB", "mid_hwm_mb", false, "%.0f"},
	{"1,000×100 @50 ms: failed", "big_fail", false, "%.0f"},
	{"added TTFT p50 ms", "big_ttft_p50", true, "%+.0f"},
	{"peak RSS MB", "big_hwm_mb", false, "%.0f"},
	{"start-up to ready ms", "startup_ms", false, "%.0f"},
	{"other load, cores", "other_cores", false, "%.2f"},
	{"RSS at ready MB", "startup_rss_mb", false, "%.0f"},
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runSummarize(args []string) error {
	fs := flag.NewFlagSet("summarize", flag.ExitOnError)
	in := fs.String("in", "", "the JSON lines written by loadgen relay")
	out := fs.String("out", "", "the Markdown file to write")
	head := fs.String("head", "", "a Markdown file whose text goes first (title, machine, method)")
	tail := fs.String("tail", "", "a Markdown file whose text goes last")
	baseline := fs.String("baseline", "direct", "the system the added figures are taken against")
	ours := fs.String("ours", "off,on,on-flags", "the service's systems, for the comparison with the gateways")
	theirs := fs.String("theirs", "litellm,portkey", "the gateways")
	_ = fs.Parse(args)
	file, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer file.Close()
	var results []relayResult
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var r relayResult
		if json.Unmarshal(scanner.Bytes(), &r) == nil && r.System != "" {
			results = append(results, r)
		}
	}
	var order []string
	bySystem := map[string][]relayResult{}
	base := map[int]relayResult{}
	for _, r := range results {
		if _, seen := bySystem[r.System]; !seen {
			order = append(order, r.System)
		}
		bySystem[r.System] = append(bySystem[r.System], r)
		if r.System == *baseline {
			base[r.Rep] = r
		}
	}

	var b strings.Builder
	if *head != "" {
		raw, err := os.ReadFile(*head)
		if err != nil {
			return err
		}
		b.Write(raw)
	}
	fmt.Fprintf(&b, "\n### Medians of the repetitions\n\n")
	fmt.Fprintf(&b, "\"added\": the system's figure minus the direct baseline's in the same repetition, then the "+
		"median over the repetitions. CPU and RSS are the system's process and everything under it. "+
		"`—`: not measured (or not meaningful for the baseline). Other load: the cores the rest of the machine (outside "+
		"the system, the fake and the load generator) used on average while the system was measured; the machine may "+
		"be shared.\n\n")
	b.WriteString("| System | reps |")
	for _, c := range summaryColumns {
		b.WriteString(" " + c.head + " |")
	}
	b.WriteString("\n|---|---|")
	for range summaryColumns {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, name := range order {
		reps := bySystem[name]
		fmt.Fprintf(&b, "| %s | %d |", name, len(reps))
		for _, c := range summaryColumns {
			var values []float64
			for _, r := range reps {
				v, ok := r.Metrics[c.metric]
				if !ok {
					continue
				}
				if c.added {
					if name == *baseline {
						ok = false
					} else if bv, found := base[r.Rep].Metrics[c.metric]; found {
						v -= bv
					} else {
						ok = false
					}
				}
				if ok {
					values = append(values, v)
				}
			}
			if len(values) == 0 {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " "+c.format+" |", median(values))
		}
		b.WriteString("\n")
	}

	writeVerdicts(&b, order, bySystem, base, *baseline, strings.Split(*ours, ","), strings.Split(*theirs, ","))

	fmt.Fprintf(&b, "\n### The baseline's own figures (direct to the fake, medians)\n\n")
	if reps := bySystem[*baseline]; len(reps) > 0 {
		get := func(metric string) float64 {
			var v []float64
			for _, r := range reps {
				if x, ok := r.Metrics[metric]; ok {
					v = append(v, x)
				}
			}
			return median(v)
		}
		fmt.Fprintf(&b, "non-streaming c=1: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; c=64: %.0f req/s; "+
			"streaming c=1 TTFT p50 %.3f ms; 1,000 streams: TTFT p50 %.1f ms, failed %.0f\n",
			get("ns_p50"), get("ns_p99"), get("ns_p999"), get("c64_rps"), get("st_ttft_p50"), get("big_ttft_p50"),
			get("big_fail"))
	}

	fmt.Fprintf(&b, "\n### Every repetition\n\n")
	b.WriteString("| System | rep | non-stream chats | p50 / p99 / p99.9 ms | c=64 req/s | CPU ms/chat | " +
		"stream c=1 TTFT p50 ms | µs/token | 100-stream fails | 1,000-stream fails | TTFT p50 ms | " +
		"peak RSS MB | start-up ms | took s | other load, cores |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, name := range order {
		for _, r := range bySystem[name] {
			m := func(k, f string) string {
				if v, ok := r.Metrics[k]; ok {
					return fmt.Sprintf(f, v)
				}
				return "—"
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s / %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				name, r.Rep, m("ns_n", "%.0f"), m("ns_p50", "%.3f"), m("ns_p99", "%.2f"), m("ns_p999", "%.2f"),
				m("c64_rps", "%.0f"), m("c64_cpu_ms", "%.2f"), m("st_ttft_p50", "%.2f"),
				m("mid_cpu_us_token", "%.0f"), m("mid_fail", "%.0f"), m("big_fail", "%.0f"),
				m("big_ttft_p50", "%.0f"), m("big_hwm_mb", "%.0f"), m("startup_ms", "%.0f"), m("took_s", "%.0f"), m("other_cores", "%.2f"))
		}
	}

	notes := map[string][]string{}
	for _, name := range order {
		seen := map[string]bool{}
		for _, r := range bySystem[name] {
			if r.Note != "" && !seen["note:"+r.Note] {
				seen["note:"+r.Note] = true
				notes[name] = append(notes[name], r.Note)
			}
			for _, n := range r.Notes {
				notes[name] = append(notes[name], fmt.Sprintf("rep %d: %s", r.Rep, n))
			}
		}
	}
	fmt.Fprintf(&b, "\n### Systems and what the run noticed\n\n")
	for _, name := range order {
		if len(notes[name]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "- **%s**: %s\n", name, strings.Join(notes[name], "; "))
	}
	if *tail != "" {
		raw, err := os.ReadFile(*tail)
		if err != nil {
			return err
		}
		b.WriteString("\n")
		b.Write(raw)
	}
	return os.WriteFile(*out, []byte(b.String()), 0o644)
}

// medianOf is the median over the repetitions of a metric of a system, "added" ones against the baseline of the
// same repetition; NaN when not measured.
func medianOf(reps []relayResult, base map[int]relayResult, c column, isBaseline bool) float64 {
	var values []float64
	for _, r := range reps {
		v, ok := r.Metrics[c.metric]
		if !ok {
			continue
		}
		if c.added {
			bv, found := base[r.Rep].Metrics[c.metric]
			if isBaseline || !found {
				continue
			}
			v -= bv
		}
		values = append(values, v)
	}
	return median(values)
}

// writeVerdicts says, metric by metric, whether each of the service's systems did better than each gateway.
func writeVerdicts(b *strings.Builder, order []string, bySystem map[string][]relayResult, base map[int]relayResult,
	baseline string, ours, theirs []string) {
	var us, them []string
	for _, name := range order {
		for _, o := range ours {
			if name == o {
				us = append(us, name)
			}
		}
		for _, t := range theirs {
			if name == t {
				them = append(them, name)
			}
		}
	}
	if len(us) == 0 || len(them) == 0 {
		return
	}
	compared := []struct {
		name         string
		c            column
		higherBetter bool
	}{
		{"non-streaming c=1, added p50", summaryColumns[0], false},
		{"non-streaming c=1, added p99", summaryColumns[1], false},
		{"non-streaming c=64, req/s", summaryColumns[3], true},
		{"non-streaming c=64, CPU per chat", summaryColumns[4], false},
		{"streaming c=1, added TTFT p50", summaryColumns[5], false},
		{"100 streams, CPU per relayed token", summaryColumns[6], false},
		{"100 streams, peak RSS", summaryColumns[7], false},
		{"1,000 streams, failures", summaryColumns[8], false},
		{"1,000 streams, added TTFT p50", summaryColumns[9], false},
		{"1,000 streams, peak RSS", summaryColumns[10], false},
	}
	fmt.Fprintf(b, "\n### The service against the gateways\n\n")
	fmt.Fprintf(b, "Medians as above: the service's system against the gateway (its figure / the gateway's).\n\n")
	b.WriteString("| Figure |")
	for _, u := range us {
		for _, t := range them {
			fmt.Fprintf(b, " %s vs %s |", u, t)
		}
	}
	b.WriteString("\n|---|")
	for range us {
		for range them {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, m := range compared {
		fmt.Fprintf(b, "| %s |", m.name)
		for _, u := range us {
			for _, t := range them {
				mine := medianOf(bySystem[u], base, m.c, u == baseline)
				their := medianOf(bySystem[t], base, m.c, t == baseline)
				if math.IsNaN(mine) || math.IsNaN(their) {
					b.WriteString(" — |")
					continue
				}
				better := mine < their
				if m.higherBetter {
					better = mine > their
				}
				word := "worse"
				switch {
				case mine == their:
					word = "same"
				case better:
					word = "**better**"
				}
				fmt.Fprintf(b, " %s ("+m.c.format+" / "+m.c.format+") |", word, mine, their)
			}
		}
		b.WriteString("\n")
	}
}
