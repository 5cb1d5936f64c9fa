// Command loadgen is the benchmarks' helper: a fake Ollama that answers at once or streams tokens at a fixed pace
// (its script can change between phases), a relay benchmark that measures one system relaying chats to it
// (bench/run.sh: latency, throughput, CPU per chat and per token, time to first token, failures and memory under
// many streams) and turns the results into Markdown, and a latency run of blocking chats against two copies of the
// service, telemetry off and on, with a counting OTLP receiver (bench/telemetry.sh).
//
//	loadgen fake    -addr 127.0.0.1:0 -port-file F -tokens 200 -interval 10ms -model bench-model
//	loadgen otlp    -addr 127.0.0.1:0 -port-file F
//	loadgen latency -off URL -on URL -otlp URL -n 5000 -block 250 -warmup 2000 -conc 4 ...
//	loadgen relay   -system NAME -kind direct|service|openai -url URL -fake URL -pid PID -out results.jsonl ...
//	loadgen summarize -in results.jsonl -head head.md -out results.md
//	loadgen freeport
//	loadgen wait -url URL -timeout 60s
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "fake":
		err = runFake(os.Args[2:])
	case "otlp":
		err = runOTLP(os.Args[2:])
	case "latency":
		err = runLatency(os.Args[2:])
	case "relay":
		err = runRelay(os.Args[2:])
	case "summarize":
		err = runSummarize(os.Args[2:])
	case "freeport":
		err = runFreePort()
	case "wait":
		err = runWait(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen fake|otlp|latency|relay|summarize|freeport|wait [flags]  (see -h of each)")
	os.Exit(2)
}
