// jsdomain: nats.go's JetStream through a domain (nats.Domain), for LeafJetStreamDomainTest.
// Usage: jsdomain <url> <domain> <stream> <subject prefix>
// Makes the stream in the domain, publishes three messages, pulls and acks them, then mirrors the stream into the
// client's own JetStream (StreamSource with Domain) and waits for the copies; prints "ok" or an error (exit 1).
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

func fail(format string, args ...interface{}) {
	fmt.Printf(format+"\n", args...)
	os.Exit(1)
}

func main() {
	url, domain, stream, prefix := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	nc, err := nats.Connect(url)
	if err != nil {
		fail("connect: %v", err)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.Domain(domain))
	if err != nil {
		fail("jetstream: %v", err)
	}
	ai, err := js.AccountInfo()
	if err != nil || ai.Domain != domain {
		fail("account info: %v %+v", err, ai)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: stream, Subjects: []string{prefix + ".>"}}); err != nil {
		fail("add stream: %v", err)
	}
	for i := 1; i <= 3; i++ {
		ack, err := js.Publish(fmt.Sprintf("%s.%d", prefix, i), []byte(fmt.Sprintf("m%d", i)))
		if err != nil || ack.Domain != domain || ack.Sequence != uint64(i) {
			fail("publish %d: %v %+v", i, err, ack)
		}
	}
	sub, err := js.PullSubscribe(prefix+".>", "pull")
	if err != nil {
		fail("pull subscribe: %v", err)
	}
	msgs, err := sub.Fetch(3, nats.MaxWait(5*time.Second))
	if err != nil || len(msgs) != 3 {
		fail("fetch: %v (%d messages)", err, len(msgs))
	}
	for i, m := range msgs {
		if m.Subject != fmt.Sprintf("%s.%d", prefix, i+1) || string(m.Data) != fmt.Sprintf("m%d", i+1) {
			fail("message %d: %s %q", i, m.Subject, m.Data)
		}
		if err := m.AckSync(); err != nil {
			fail("ack %d: %v", i, err)
		}
	}
	local, err := nc.JetStream()
	if err != nil {
		fail("local jetstream: %v", err)
	}
	mirror := stream + "_M"
	if _, err := local.AddStream(&nats.StreamConfig{Name: mirror,
		Mirror: &nats.StreamSource{Name: stream, Domain: domain}}); err != nil {
		fail("add mirror: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		si, err := local.StreamInfo(mirror)
		if err == nil && si.State.Msgs == 3 && si.Mirror != nil && si.Mirror.External != nil {
			break
		}
		if time.Now().After(deadline) {
			fail("mirror: %v %+v", err, si)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println("ok")
}
