// rrbench measures request/reply across a route or a gateway: the requester is connected to one server, the
// responder to another, so every request and every answer crosses between them. Requests are sent one after
// another (each waits for its answer), so the figure is the round-trip latency.
//
//	rrbench -req nats://127.0.0.1:14501 -rep nats://127.0.0.1:14502 -n 20000
//
// Prints one JSON object: {"requests":N,"seconds":T,"req_per_sec":R,"p50_us":..,"p99_us":..}.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	reqURL := flag.String("req", "", "requester's server")
	repURL := flag.String("rep", "", "responder's server")
	n := flag.Int("n", 20000, "requests")
	size := flag.Int("size", 16, "payload bytes")
	flag.Parse()
	rep, err := nats.Connect(*repURL, nats.Name("rrbench-rep"))
	if err != nil {
		fail(err)
	}
	defer rep.Close()
	if _, err := rep.Subscribe("rrbench.svc", func(m *nats.Msg) { m.Respond(m.Data) }); err != nil {
		fail(err)
	}
	rep.Flush()
	req, err := nats.Connect(*reqURL, nats.Name("rrbench-req"))
	if err != nil {
		fail(err)
	}
	defer req.Close()
	payload := make([]byte, *size)
	// Until the responder's interest has crossed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := req.Request("rrbench.svc", payload, 200*time.Millisecond); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fail(fmt.Errorf("no answer across after 10s"))
		}
	}
	for i := 0; i < *n/10; i++ { // warm-up
		if _, err := req.Request("rrbench.svc", payload, 5*time.Second); err != nil {
			fail(err)
		}
	}
	lat := make([]time.Duration, *n)
	start := time.Now()
	for i := 0; i < *n; i++ {
		t := time.Now()
		if _, err := req.Request("rrbench.svc", payload, 5*time.Second); err != nil {
			fail(err)
		}
		lat[i] = time.Since(t)
	}
	secs := time.Since(start).Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	out, _ := json.Marshal(map[string]interface{}{
		"requests":    *n,
		"seconds":     secs,
		"req_per_sec": float64(*n) / secs,
		"p50_us":      lat[len(lat)/2].Microseconds(),
		"p99_us":      lat[len(lat)*99/100].Microseconds(),
	})
	fmt.Println(string(out))
}
