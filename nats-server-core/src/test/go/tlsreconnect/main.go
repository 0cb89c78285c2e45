// tlsreconnect connects over TLS (verifying the server's certificate against -ca, by host name), waits until
// its server goes away, reconnects to another node of the cluster through the URLs the servers gossiped, and
// checks the new connection with a request/reply round trip. It prints one line per step:
//
//	connected <server URL>
//	discovered <the URLs gossiped so far>
//	reconnected <server URL>
//	roundtrip ok
//
// and exits 0, or prints "error: ..." and exits 1.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := flag.String("url", "", "first server, tls://localhost:PORT")
	ca := flag.String("ca", "", "CA certificate (PEM)")
	timeout := flag.Duration("timeout", 20*time.Second, "give up after")
	flag.Parse()

	reconnected := make(chan string, 1)
	nc, err := nats.Connect(*url, nats.RootCAs(*ca), nats.ReconnectWait(100*time.Millisecond),
		nats.MaxReconnects(-1), nats.ReconnectJitter(0, 0),
		nats.ReconnectHandler(func(c *nats.Conn) { reconnected <- c.ConnectedUrl() }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { fmt.Println("disconnected:", err) }),
		nats.DiscoveredServersHandler(func(c *nats.Conn) { fmt.Println("discovered", c.DiscoveredServers()) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			fmt.Println("async error:", err)
		}))
	if err != nil {
		fail(err)
	}
	defer nc.Close()
	fmt.Println("connected", nc.ConnectedUrl())
	fmt.Println("discovered", nc.DiscoveredServers())
	select {
	case u := <-reconnected:
		fmt.Println("reconnected", u)
	case <-time.After(*timeout):
		fail(fmt.Errorf("no reconnect within %v (last error: %v)", *timeout, nc.LastError()))
	}
	sub, err := nc.Subscribe("tlsreconnect.echo", func(m *nats.Msg) { m.Respond(m.Data) })
	if err != nil {
		fail(err)
	}
	defer sub.Unsubscribe()
	reply, err := nc.Request("tlsreconnect.echo", []byte("ping"), 5*time.Second)
	if err != nil {
		fail(err)
	}
	if string(reply.Data) != "ping" {
		fail(fmt.Errorf("reply %q", reply.Data))
	}
	fmt.Println("roundtrip ok")
}

func fail(err error) {
	fmt.Println("error:", err)
	os.Exit(1)
}
