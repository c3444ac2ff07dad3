// Package runtimeapi is a test implementation of the AWS Lambda Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): next invocation,
// invocation response, invocation error and init error. Tests start a built function
// binary against it to prove the binary really runs as a Lambda custom runtime.
package runtimeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Result is what the function answered to one invocation.
type Result struct {
	RequestID string
	Response  json.RawMessage // set for /response
	Error     json.RawMessage // set for /error
	ErrorType string
}

// Server hands out queued events and records what the function answers.
type Server struct {
	Addr      string // host:port, for AWS_LAMBDA_RUNTIME_API
	events    chan invocation
	results   chan Result
	initErr   chan Result
	firstNext chan time.Time
	once      sync.Once
	srv       *http.Server
}

type invocation struct {
	id    string
	event []byte
}

// Start listens on a free loopback port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), events: make(chan invocation, 16), results: make(chan Result, 16),
		initErr: make(chan Result, 1), firstNext: make(chan time.Time, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.answer(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.answer(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Invoke queues an event and waits for the function's answer.
func (s *Server) Invoke(event []byte, timeout time.Duration) (Result, error) {
	id := fmt.Sprintf("req-%d", time.Now().UnixNano())
	s.events <- invocation{id: id, event: event}
	select {
	case r := <-s.results:
		if r.RequestID != id {
			return r, fmt.Errorf("answer for %s, want %s", r.RequestID, id)
		}
		return r, nil
	case r := <-s.initErr:
		return r, fmt.Errorf("init error: %s", r.Error)
	case <-time.After(timeout):
		return Result{}, fmt.Errorf("no answer within %s", timeout)
	}
}

// InitError waits for the function to report an init error.
func (s *Server) InitError(timeout time.Duration) (Result, error) {
	select {
	case r := <-s.initErr:
		return r, nil
	case <-time.After(timeout):
		return Result{}, fmt.Errorf("no init error within %s", timeout)
	}
}

// FirstNext is when the function first asked for an invocation: the end of its init.
func (s *Server) FirstNext(timeout time.Duration) (time.Time, error) {
	select {
	case t := <-s.firstNext:
		return t, nil
	case <-time.After(timeout):
		return time.Time{}, fmt.Errorf("the function did not ask for an invocation within %s", timeout)
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() { s.firstNext <- time.Now() })
	select {
	case inv := <-s.events:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(30*time.Second).UnixMilli()))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-2:123456789012:function:test")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.event)
	case <-r.Context().Done():
	}
}

func (s *Server) answer(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		res := Result{RequestID: r.PathValue("id")}
		if isError {
			res.Error, res.ErrorType = body, r.Header.Get("Lambda-Runtime-Function-Error-Type")
		} else {
			res.Response = body
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
		s.results <- res
	}
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
	s.initErr <- Result{Error: body, ErrorType: strings.TrimSpace(r.Header.Get("Lambda-Runtime-Function-Error-Type"))}
}
