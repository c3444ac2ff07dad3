package main

import (
	"errors"
	"fmt"
	"net"
)

// freePorts asks the kernel for n distinct free loopback ports. All listeners stay open until
// every port is chosen, so the same port is never handed out twice; a service may still lose a
// port to another process in the moment between close and its own listen, which is rare enough
// that a retry of up is the answer.
func freePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		listeners = append(listeners, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, errors.New("pick a free port: listener has no TCP address")
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}
