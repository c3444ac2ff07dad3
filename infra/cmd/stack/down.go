package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"syscall"
)

// down stops the recorded processes; with nothing recorded it does nothing and succeeds.
func down(l layout) error {
	if _, err := os.Stat(l.state); errors.Is(err, fs.ErrNotExist) {
		log.Print("nothing running")
		return nil
	}
	unlock, err := lockState(l)
	if err != nil {
		return err
	}
	defer unlock()
	return stopRecorded(l)
}

// stopRecorded stops every process group in the pids file, then forgets the stack.
func stopRecorded(l layout) error {
	entries, err := readPids(l.pids)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read pids: %w", err)
	}
	live := liveEntries(entries)
	if err := stopGroups(live, stopGrace); err != nil {
		return err
	}
	for _, e := range live {
		log.Printf("stopped %s (pid %d)", e.Name, e.Pid)
	}
	for _, path := range []string{l.pids, l.stackEnv} {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("forget the stack: %w", err)
		}
	}
	return nil
}

// lockState serialises up and down, so two at once cannot start two stacks. The lock file is
// opened close-on-exec, so the services never inherit the lock.
func lockState(l layout) (unlock func(), err error) {
	if err := os.MkdirAll(l.state, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", l.rel(l.state), err)
	}
	f, err := os.OpenFile(l.lock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", l.rel(l.lock), err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", l.rel(l.lock), err)
	}
	return func() { f.Close() }, nil
}
