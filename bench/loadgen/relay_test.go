package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenAIStreamFromTheFake(t *testing.T) {
	fake := newFakeOllama("m", 5, time.Millisecond)
	server := httptest.NewServer(fake)
	defer server.Close()
	s := relaySystem{c: relayConfig{system: "gw", kind: "openai", url: server.URL, fakeURL: server.URL, model: "m",
		chatTimeout: 5 * time.Second}}
	results, _ := runStreams(newClient(2), s.streamTarget(5), 2, 0, 5*time.Second)
	for i, r := range results {
		if !r.ok || r.tokens != 5 || r.ttft < 0 {
			t.Fatalf("stream %d: %+v", i, r)
		}
	}
	// a script change reaches the next chats
	if err := setFakeScript(server.URL, 3, time.Millisecond, false); err != nil {
		t.Fatal(err)
	}
	results, _ = runStreams(newClient(1), s.streamTarget(3), 1, 0, 5*time.Second)
	if !results[0].ok || results[0].tokens != 3 {
		t.Fatalf("after the script change: %+v", results[0])
	}
	// the wrong number of tokens is a failure
	results, _ = runStreams(newClient(1), s.streamTarget(4), 1, 0, 5*time.Second)
	if results[0].ok {
		t.Fatalf("a 3-token stream passed as 4 tokens: %+v", results[0])
	}
}

func TestNonStreamedChatsOfEachKind(t *testing.T) {
	server := httptest.NewServer(newFakeOllama("m", 5, time.Millisecond))
	defer server.Close()
	if err := setFakeScript(server.URL, 1, time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"direct", "openai"} {
		s := relaySystem{c: relayConfig{system: kind, kind: kind, url: server.URL, fakeURL: server.URL, model: "m",
			chatTimeout: 5 * time.Second}}
		fails := &chatFailures{}
		lat, _, _ := s.chatsFor(chatClient(2), 2, 200*time.Millisecond, 20, fails)
		if len(lat) != 20 || fails.n.Load() != 0 {
			t.Fatalf("%s: %d chats, failures %s", kind, len(lat), fails)
		}
	}
	// direct streams in whole mode are not what the relay phases use, but the stream script comes back
	if err := setFakeScript(server.URL, 2, time.Millisecond, false); err != nil {
		t.Fatal(err)
	}
	s := relaySystem{c: relayConfig{kind: "direct", url: server.URL, fakeURL: server.URL, model: "m"}}
	results, _ := runStreams(newClient(1), s.streamTarget(2), 1, 0, 5*time.Second)
	if !results[0].ok {
		t.Fatalf("direct stream: %+v", results[0])
	}
}

func TestTreeCPUAndMemoryOfThisProcess(t *testing.T) {
	pid := os.Getpid()
	if tree := procTree(pid); len(tree) < 1 || tree[0] != pid {
		t.Fatalf("tree: %v", tree)
	}
	if treeKB(pid, "VmHWM") <= 0 {
		t.Fatal("no VmHWM")
	}
	_ = treeCPU(pid)
}

func TestSummarizeTakesMediansAndAddedFigures(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "r.jsonl")
	lines := []string{
		`{"system":"direct","rep":1,"metrics":{"ns_p50":1.0}}`,
		`{"system":"svc","rep":1,"metrics":{"ns_p50":2.0,"c64_rps":100}}`,
		`{"system":"direct","rep":2,"metrics":{"ns_p50":1.5}}`,
		`{"system":"svc","rep":2,"metrics":{"ns_p50":5.5,"c64_rps":300}}`,
		`{"system":"direct","rep":3,"metrics":{"ns_p50":1.0}}`,
		`{"system":"svc","rep":3,"metrics":{"ns_p50":3.0,"c64_rps":200},"notes":["something"]}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.md")
	if err := runSummarize([]string{"-in", in, "-out", out}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(out)
	text := string(raw)
	// added p50 per rep: +1.0, +4.0, +2.0 -> median +2.00; req/s median 200
	if !strings.Contains(text, "| svc | 3 | +2.00 |") || !strings.Contains(text, "| 200 |") ||
		!strings.Contains(text, "rep 3: something") {
		t.Fatalf("summary:\n%s", text)
	}
}
