// scalebench: throughput of one NATS server with several publishing and subscribing connections.
// Built on the Go NATS client (Debian package golang-github-nats-io-go-nats-dev), like the shared natsbench.
//
//	scalebench -s nats://127.0.0.1:4222 -pubs 1 -subs 16 -n 200000 -size 16   # fan-out to 16
//	scalebench -s nats://127.0.0.1:4222 -pubs 4 -subs 1  -n 1000000 -size 16  # 4 publishers, 1 subscriber
//	scalebench -s nats://127.0.0.1:4222 -pubs 4 -subs 0  -n 2000000 -size 16  # 4 publishers, no subscriber
//
// Every connection is its own nats.Conn. The publishers share the n messages (n/pubs each) and publish
// at the same time, all to one subject; every subscriber gets every message. Prints one JSON object:
// published msgs/s (all publishers together, until the last publisher's flush returned) and delivered
// msgs/s (all subscribers together, until the last delivery).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

type result struct {
	Pubs          int     `json:"pubs"`
	Subs          int     `json:"subs"`
	Msgs          int     `json:"msgs"`
	Size          int     `json:"size"`
	Seconds       float64 `json:"seconds"`
	PubRate       float64 `json:"pub_msgs_per_sec"`
	DeliveredRate float64 `json:"delivered_msgs_per_sec"`
	Error         string  `json:"error,omitempty"`
}

func fail(r result, err error) {
	r.Error = err.Error()
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	os.Exit(1)
}

func main() {
	url := flag.String("s", nats.DefaultURL, "server URL")
	pubs := flag.Int("pubs", 1, "publishing connections")
	subs := flag.Int("subs", 1, "subscribing connections (0: publish only)")
	n := flag.Int("n", 1000000, "messages in all (split over the publishers)")
	size := flag.Int("size", 16, "payload bytes")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after")
	flag.Parse()

	r := result{Pubs: *pubs, Subs: *subs, Size: *size}
	perPub := *n / *pubs
	r.Msgs = perPub * *pubs
	opts := []nats.Option{nats.Name("scalebench"), nats.ReconnectBufSize(-1)}
	subject := "scale.subject"

	expected := int64(r.Msgs) * int64(*subs)
	var received int64
	done := make(chan struct{})
	var once sync.Once
	var subConns []*nats.Conn
	for i := 0; i < *subs; i++ {
		sc, err := nats.Connect(*url, opts...)
		if err != nil {
			fail(r, err)
		}
		subConns = append(subConns, sc)
		s, err := sc.Subscribe(subject, func(*nats.Msg) {
			if atomic.AddInt64(&received, 1) == expected {
				once.Do(func() { close(done) })
			}
		})
		if err != nil {
			fail(r, err)
		}
		s.SetPendingLimits(-1, -1)
		if err := sc.Flush(); err != nil {
			fail(r, err)
		}
	}
	var pubConns []*nats.Conn
	for i := 0; i < *pubs; i++ {
		pc, err := nats.Connect(*url, opts...)
		if err != nil {
			fail(r, err)
		}
		pubConns = append(pubConns, pc)
	}
	payload := make([]byte, *size)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, *pubs)
	for _, pc := range pubConns {
		wg.Add(1)
		go func(pc *nats.Conn) {
			defer wg.Done()
			for i := 0; i < perPub; i++ {
				if err := pc.Publish(subject, payload); err != nil {
					errs <- err
					return
				}
			}
			if err := pc.FlushTimeout(*timeout); err != nil {
				errs <- err
			}
		}(pc)
	}
	wg.Wait()
	pubSecs := time.Since(start).Seconds()
	select {
	case err := <-errs:
		fail(r, err)
	default:
	}
	r.PubRate = float64(r.Msgs) / pubSecs
	if *subs > 0 {
		select {
		case <-done:
		case <-time.After(*timeout):
		}
	}
	r.Seconds = time.Since(start).Seconds()
	got := atomic.LoadInt64(&received)
	if *subs > 0 {
		r.DeliveredRate = float64(got) / r.Seconds
	}
	for _, c := range append(subConns, pubConns...) {
		c.Close()
	}
	if got != expected {
		fail(r, fmt.Errorf("received %d of %d", got, expected))
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}
