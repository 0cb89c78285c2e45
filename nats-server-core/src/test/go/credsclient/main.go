// credsclient: a nats.go client for the operator-mode differential tests. It connects with a .creds file,
// publishes and receives one message, then waits up to -wait for the server to end the connection, and prints
// what it saw, one line per event, so the test can compare nats-server with NATS Boot.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := flag.String("url", "", "server URL")
	creds := flag.String("creds", "", ".creds file")
	wait := flag.Duration("wait", 0, "how long to wait for the server to close the connection")
	flag.Parse()

	closed := make(chan struct{})
	nc, err := nats.Connect(*url, nats.UserCredentials(*creds), nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			fmt.Printf("async error: %v\n", err)
		}),
		nats.ClosedHandler(func(_ *nats.Conn) { close(closed) }))
	if err != nil {
		fmt.Printf("connect error: %v\n", err)
		os.Exit(0)
	}
	sub, err := nc.SubscribeSync("creds.test")
	if err == nil {
		err = nc.Publish("creds.test", []byte("hi"))
	}
	if err == nil {
		_, err = sub.NextMsg(2 * time.Second)
	}
	if err != nil {
		fmt.Printf("error: %v\n", err)
	} else {
		fmt.Println("round trip ok")
	}
	if *wait > 0 {
		select {
		case <-closed:
			fmt.Printf("closed: %v\n", nc.LastError())
		case <-time.After(*wait):
			fmt.Println("still open")
		}
	}
	nc.Close()
}
