// jsbench measures JetStream publish and consume rates against one server with nats.go:
//
//	jsbench -url nats://127.0.0.1:4222 -mode sync|async|consume|replay|kvput|kvget -n 20000 -size 128 -storage file|memory
//
// Each run makes a fresh stream BENCH (subject bench.>) of the given storage, then:
//   - sync:    n publishes, each waiting for its PubAck; rate and latency percentiles
//   - async:   n PublishAsync (at most 4000 unacknowledged), until every PubAck arrived; rate
//   - consume: n messages stored first (async), then a durable pull consumer fetches them in batches of 256
//     and acknowledges each one (explicit ack); rate of the consume part only
//   - replay:  n messages stored first (async), then an ordered push consumer (what KV watchers and
//     `nats stream view` use: flow control, heartbeats, no acks) receives all of them; rate of the replay
//   - kvput:   a KV bucket BENCHKV instead of the stream; n puts to 1,000 keys, each waiting for its ack;
//     rate and latency percentiles
//   - kvget:   the same n puts first, then n gets of those keys (direct get); rate and latency percentiles
//   - fill:    stream -stream NAME (subjects NAME.>) filled with n messages (async) and kept, for start-up runs
//
// Prints one JSON object: {"mode":..,"storage":..,"msgs":N,"size":S,"seconds":T,"msgs_per_sec":R,
// "p50_us":..,"p99_us":..} (percentiles for sync only) and deletes the stream.
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

func main() {
	url := flag.String("url", nats.DefaultURL, "server")
	mode := flag.String("mode", "sync", "sync | async | consume")
	n := flag.Int("n", 20000, "messages")
	size := flag.Int("size", 128, "payload bytes")
	storage := flag.String("storage", "file", "file | memory")
	stream := flag.String("stream", "FILL", "fill: the stream to create and keep")
	flag.Parse()

	serverURL = *url
	nc, err := nats.Connect(*url, nats.Name("jsbench"))
	check(err)
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(4000))
	check(err)
	st := nats.FileStorage
	if *storage == "memory" {
		st = nats.MemoryStorage
	}
	if *mode == "fill" {
		_, err = js.AddStream(&nats.StreamConfig{Name: *stream, Subjects: []string{*stream + ".>"}, Storage: st})
		check(err)
		payload := make([]byte, *size)
		elapsed := publishAsyncTo(js, *stream+".x", *n, payload)
		fmt.Printf("{\"mode\":\"fill\",\"stream\":%q,\"msgs\":%d,\"size\":%d,\"seconds\":%f}\n", *stream, *n, *size,
			elapsed.Seconds())
		return
	}
	if *mode == "kvput" || *mode == "kvget" {
		kvBench(js, *mode, *n, *size, st)
		return
	}
	_ = js.DeleteStream("BENCH")
	_, err = js.AddStream(&nats.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}, Storage: st})
	check(err)
	defer js.DeleteStream("BENCH")

	payload := make([]byte, *size)
	out := map[string]interface{}{"mode": *mode, "storage": *storage, "msgs": *n, "size": *size}
	var elapsed time.Duration
	switch *mode {
	case "sync":
		lat := make([]time.Duration, 0, *n)
		start := time.Now()
		for i := 0; i < *n; i++ {
			t := time.Now()
			_, err := js.Publish("bench.x", payload)
			check(err)
			lat = append(lat, time.Since(t))
		}
		elapsed = time.Since(start)
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		out["p50_us"] = float64(lat[len(lat)/2].Nanoseconds()) / 1000
		out["p99_us"] = float64(lat[len(lat)*99/100].Nanoseconds()) / 1000
	case "async":
		elapsed = publishAsync(js, *n, payload)
	case "consume":
		publishAsync(js, *n, payload)
		sub, err := js.PullSubscribe("bench.>", "bench", nats.AckExplicit())
		check(err)
		start := time.Now()
		got := 0
		for got < *n {
			msgs, err := sub.Fetch(256, nats.MaxWait(10*time.Second))
			check(err)
			for _, m := range msgs {
				check(m.Ack())
				got++
			}
		}
		elapsed = time.Since(start)
	case "replay":
		publishAsync(js, *n, payload)
		done := make(chan struct{})
		got := 0
		start := time.Now()
		sub, err := js.Subscribe("bench.>", func(m *nats.Msg) {
			got++
			if got == *n {
				close(done)
			}
		}, nats.OrderedConsumer())
		check(err)
		select {
		case <-done:
		case <-time.After(300 * time.Second):
			check(fmt.Errorf("replay: %d of %d messages after 300s", got, *n))
		}
		elapsed = time.Since(start)
		check(sub.Unsubscribe())
	default:
		check(fmt.Errorf("unknown mode %q", *mode))
	}
	out["seconds"] = elapsed.Seconds()
	out["msgs_per_sec"] = float64(*n) / elapsed.Seconds()
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

// kvBench runs kvput or kvget against a fresh bucket BENCHKV and prints the result like main does.
func kvBench(js nats.JetStreamContext, mode string, n, size int, st nats.StorageType) {
	_ = js.DeleteKeyValue("BENCHKV")
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "BENCHKV", Storage: st})
	check(err)
	defer js.DeleteKeyValue("BENCHKV")
	value := make([]byte, size)
	const keys = 1000
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		t := time.Now()
		_, err := kv.Put(fmt.Sprintf("k%d", i%keys), value)
		check(err)
		lat = append(lat, time.Since(t))
	}
	elapsed := time.Since(start)
	if mode == "kvget" {
		lat = lat[:0]
		start = time.Now()
		for i := 0; i < n; i++ {
			t := time.Now()
			e, err := kv.Get(fmt.Sprintf("k%d", i%keys))
			check(err)
			if len(e.Value()) != size {
				check(fmt.Errorf("kvget: %d bytes, want %d", len(e.Value()), size))
			}
			lat = append(lat, time.Since(t))
		}
		elapsed = time.Since(start)
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	out := map[string]interface{}{"mode": mode, "msgs": n, "size": size, "seconds": elapsed.Seconds(),
		"msgs_per_sec": float64(n) / elapsed.Seconds(),
		"p50_us": float64(lat[len(lat)/2].Nanoseconds()) / 1000,
		"p99_us": float64(lat[len(lat)*99/100].Nanoseconds()) / 1000}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

func publishAsync(js nats.JetStreamContext, n int, payload []byte) time.Duration {
	return publishAsyncTo(js, "bench.x", n, payload)
}

func publishAsyncTo(js nats.JetStreamContext, subject string, n int, payload []byte) time.Duration {
	start := time.Now()
	for i := 0; i < n; i++ {
		// wait for acks to come back rather than fail after nats.go's default 200 ms (a loaded machine stalls)
		_, err := js.PublishAsync(subject, payload, nats.StallWait(10*time.Second))
		check(err)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(120 * time.Second):
		check(fmt.Errorf("async publishes not all acknowledged after 120s"))
	}
	return time.Since(start)
}

var serverURL string

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsbench:", serverURL+":", err)
		os.Exit(1)
	}
}
