package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

// crashDirEnv tells a re-executed test binary to act as the crash child.
const crashDirEnv = "PHANANH_SQLITE_CRASH_CHILD_DIR"

// TestCrashChild is not a test on its own: TestAcknowledgedWritesSurviveKill
// runs it in a child process, which writes until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestAcknowledgedWritesSurviveKill")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // in case nobody kills us
	defer cancel()
	s, err := Open(ctx, dir)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				r := crashReport()
				if _, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID, At: r.CreatedAt}}); err != nil {
					continue
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ACK %s\n", r.Code) // unbuffered: one write per line
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func crashReport() *feedback.Report {
	now := time.Now()
	return &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Cống thoát nước bị tắc gây ngập",
		Channel: feedback.ChannelAPI, Status: feedback.StatusReceived, Priority: feedback.PriorityNormal,
		CreatedAt: now, UpdatedAt: now,
	}
}

// TestAcknowledgedWritesSurviveKill SIGKILLs a process in the middle of
// writing and checks that every report it acknowledged is still there.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: spawns a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := readAcks(t, cmd, bufio.NewScanner(out), 400)
	if len(acked) < 400 {
		t.Fatalf("child acknowledged only %d reports before exiting", len(acked))
	}

	s := mustOpenDir(t, dir)
	for _, code := range acked {
		r, err := s.Report(t.Context(), code)
		if err != nil {
			t.Fatalf("acknowledged report %s lost after kill -9: %v", code, err)
		}
		evs, err := s.Events(t.Context(), feedback.EventFilter{ReportID: r.ID})
		if err != nil || len(evs) != 1 {
			t.Fatalf("report %s: events %v, err %v; want its created event", code, evs, err)
		}
	}
	t.Logf("%d acknowledged reports survived SIGKILL", len(acked))
}

// readAcks collects acknowledged codes, kills the child once it has want of
// them, then keeps every complete line the child wrote before dying.
func readAcks(t *testing.T, cmd *exec.Cmd, sc *bufio.Scanner, want int) []string {
	t.Helper()
	var acked []string
	killed := false
	for sc.Scan() {
		line := sc.Text()
		code, ok := strings.CutPrefix(line, "ACK ")
		if !ok || len(code) != feedback.CodeLen {
			continue // a line cut by the kill, or test-runner chatter
		}
		acked = append(acked, code)
		if len(acked) == want && !killed {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatalf("kill child: %v", err)
			}
			killed = true
		}
	}
	cmd.Wait() //nolint:errcheck // killed on purpose
	return acked
}
