package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// service is a process the stack started: detached in its own process group so it outlives
// up, and so that down can signal the group.
type service struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exits while up is still running
	err  error         // why it exited; set before done is closed
}

// The stack's processes, and a string each one's command line contains. Checking it before
// signalling means a pid reused by something else (after a reboot, say) is never touched.
var serviceMarkers = map[string]string{
	"dynamodb": "DynamoDBLocal",
	"s3":       "versitygw",
	"gateway":  "gateway",
	"mail":     "mailpit",
	"idp":      "idp",
}

// startService starts argv with stdout and stderr appended to the service's log and records
// its pid in the pids file before returning, so a failed or interrupted up can be cleaned up.
func startService(l layout, name string, env []string, argv ...string) (*service, error) {
	logPath := l.logFile(name)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer logFile.Close() // the child has its own copy
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = l.root
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &service{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := appendPid(l.pids, name, cmd.Process.Pid); err != nil {
		// Unrecorded, down could not find it: stop it now.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return nil, err
	}
	return s, nil
}

// exited reports the error of a service that has stopped, or nil while it runs.
func (s *service) exited() error {
	select {
	case <-s.done:
		if s.err == nil {
			return fmt.Errorf("%s exited; see %s", s.name, s.log)
		}
		return fmt.Errorf("%s exited (%w); see %s", s.name, s.err, s.log)
	default:
		return nil
	}
}

// pidEntry is one "name pid" line of the pids file.
type pidEntry struct {
	Name string
	Pid  int
}

func appendPid(path, name string, pid int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("record pid: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s %d\n", name, pid); err != nil {
		f.Close()
		return fmt.Errorf("record pid: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("record pid: %w", err)
	}
	return nil
}

func readPids(path string) ([]pidEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []pidEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s: want \"name pid\", got %q", path, sc.Text())
		}
		pid, err := strconv.Atoi(fields[1])
		if err != nil || pid <= 1 {
			return nil, fmt.Errorf("%s: bad pid in %q", path, sc.Text())
		}
		out = append(out, pidEntry{fields[0], pid})
	}
	return out, nil
}

// running reports whether pid is a live process of the named service. Where /proc exists it
// also rules out zombies (an orphan whose parent never reaps it) and reused pids.
func running(name string, pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		_, noProc := os.Stat("/proc/self")
		return noProc != nil // without /proc, kill(pid, 0) is all we can know
	}
	marker, ok := serviceMarkers[name]
	return ok && bytes.Contains(cmdline, []byte(marker)) // a zombie's cmdline is empty
}

// stopGroups sends SIGTERM to each live service's process group, then SIGKILL to any still
// running after grace, and waits for them to go.
func stopGroups(entries []pidEntry, grace time.Duration) error {
	live := liveEntries(entries)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		for _, e := range live {
			if err := syscall.Kill(-e.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("signal %s (process group %d): %w", e.Name, e.Pid, err)
			}
		}
		deadline := time.Now().Add(grace)
		for len(live) > 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			live = liveEntries(live)
		}
		if len(live) == 0 {
			return nil
		}
	}
	names := make([]string, len(live))
	for i, e := range live {
		names[i] = fmt.Sprintf("%s (pid %d)", e.Name, e.Pid)
	}
	return fmt.Errorf("still running after SIGKILL: %s", strings.Join(names, ", "))
}

func liveEntries(entries []pidEntry) []pidEntry {
	var live []pidEntry
	for _, e := range entries {
		if running(e.Name, e.Pid) {
			live = append(live, e)
		}
	}
	return live
}
