package main

import (
	"net/http"
	"time"
)

// serverLimitSet bounds what one client can hold of a face's server, so a
// slow or stalled client (slowloris, a stuck body, a parked keep-alive)
// cannot tie up connections and goroutines for ever.
type serverLimitSet struct {
	readHeader time.Duration // request line and headers
	read       time.Duration // the whole request, body included (bodies are at most 1 MiB)
	write      time.Duration // from the end of the headers to the end of the answer
	longWrite  time.Duration // the same on the Okta face, whose provisioning wait may last 10 minutes
	idle       time.Duration // a keep-alive connection between requests
	maxHeader  int           // request line and headers, in bytes (larger: 431)
}

// serverLimits are the production bounds; tests shrink them.
var serverLimits = serverLimitSet{
	readHeader: 10 * time.Second,
	read:       30 * time.Second,
	write:      60 * time.Second,
	longWrite:  11 * time.Minute,
	idle:       2 * time.Minute,
	maxHeader:  64 << 10,
}

// newServer is the http.Server of one face. longPoll gives it the write
// timeout of the Okta face's provisioning wait.
func newServer(h http.Handler, longPoll bool) *http.Server {
	l := serverLimits
	write := l.write
	if longPoll {
		write = l.longWrite
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      write,
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    l.maxHeader,
	}
}
