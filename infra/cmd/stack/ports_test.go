package main

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePorts(t *testing.T) {
	for _, n := range []int{0, 1, 3, 6, 10} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ports, err := freePorts(n)
			if err != nil {
				t.Fatal(err)
			}
			if len(ports) != n {
				t.Fatalf("got %d ports, want %d", len(ports), n)
			}
			seen := map[int]bool{}
			for _, p := range ports {
				if p < 1 || p > 65535 {
					t.Errorf("port %d out of range", p)
				}
				if seen[p] {
					t.Errorf("port %d handed out twice in %v", p, ports)
				}
				seen[p] = true
				// Released, so a service can listen on it.
				l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
				if err != nil {
					t.Errorf("port %d not free after freePorts returned: %v", p, err)
					continue
				}
				l.Close()
			}
		})
	}
}
