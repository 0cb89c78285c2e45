// clusterbench measures pub/sub throughput across one route: the publisher is connected to one node of a
// cluster, the subscriber to another, so every message crosses the route between them.
//
//	clusterbench -pub nats://127.0.0.1:14301 -sub nats://127.0.0.1:14302 -n 1000000 -size 16
//
// Prints one JSON object: {"msgs":N,"size":S,"seconds":T,"sub_msgs_per_sec":R}.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	pubURL := flag.String("pub", "", "publisher's server")
	subURL := flag.String("sub", "", "subscriber's server")
	n := flag.Int("n", 1000000, "messages")
	size := flag.Int("size", 16, "payload bytes")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after")
	flag.Parse()

	sub, err := nats.Connect(*subURL, nats.Name("clusterbench-sub"))
	if err != nil {
		fail(err)
	}
	defer sub.Close()
	pub, err := nats.Connect(*pubURL, nats.Name("clusterbench-pub"))
	if err != nil {
		fail(err)
	}
	defer pub.Close()

	// Interest must reach the publisher's node over the route before the run starts.
	ready := make(chan struct{}, 1)
	rs, _ := sub.Subscribe("clusterbench.ready", func(*nats.Msg) {
		select {
		case ready <- struct{}{}:
		default:
		}
	})
	var got int64
	done := make(chan time.Time, 1)
	total := int64(*n)
	s, err := sub.Subscribe("clusterbench.data", func(*nats.Msg) {
		if atomic.AddInt64(&got, 1) == total {
			done <- time.Now()
		}
	})
	if err != nil {
		fail(err)
	}
	s.SetPendingLimits(-1, -1)
	sub.Flush()
	deadline := time.Now().Add(10 * time.Second)
	for waiting := true; waiting; {
		pub.Publish("clusterbench.ready", nil)
		pub.Flush()
		select {
		case <-ready:
			waiting = false
		case <-time.After(50 * time.Millisecond):
			if time.Now().After(deadline) {
				fail(fmt.Errorf("no interest across the route after 10s"))
			}
		}
	}
	rs.Unsubscribe()

	payload := make([]byte, *size)
	start := time.Now()
	for i := 0; i < *n; i++ {
		if err := pub.Publish("clusterbench.data", payload); err != nil {
			fail(err)
		}
	}
	pub.Flush()
	select {
	case end := <-done:
		secs := end.Sub(start).Seconds()
		fmt.Printf("{\"msgs\":%d,\"size\":%d,\"seconds\":%.3f,\"sub_msgs_per_sec\":%.0f}\n", *n, *size, secs,
			float64(*n)/secs)
	case <-time.After(*timeout):
		fmt.Printf("{\"msgs\":%d,\"received\":%d,\"sub_msgs_per_sec\":0}\n", *n, atomic.LoadInt64(&got))
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "clusterbench:", err)
	os.Exit(2)
}
