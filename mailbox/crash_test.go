package mailbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"phananh/feedback"
	"phananh/intake"
	"phananh/store/sqlite"
)

// Environment of the child process TestKill9DuringIngest starts.
const (
	childEnv     = "PHANANH_MAILBOX_CHILD"      // data directory
	childAddrEnv = "PHANANH_MAILBOX_CHILD_IMAP" // IMAP address
	childUserEnv = "PHANANH_MAILBOX_CHILD_USER" // IMAP user (password testPass)
	childStall   = "PHANANH_MAILBOX_CHILD_STALL"
)

// TestKill9Child is the ingesting process that TestKill9DuringIngest kills;
// on its own it skips. It prints a line per processed message and, when
// told to, stalls after the n-th one: between the message's outcome and its
// checkpoint, the window a crash must not turn into a duplicate.
func TestKill9Child(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("child process of TestKill9DuringIngest")
	}
	st := mustStore(t, dir)
	cfg := testIMAPConfig(os.Getenv(childAddrEnv))
	cfg.User = os.Getenv(childUserEnv)
	in, err := NewIngestor(cfg, newProcessor(st), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	stall, _ := strconv.Atoi(os.Getenv(childStall))
	n := 0
	in.afterProcess = func(uid imap.UID, res Result) {
		n++
		fmt.Printf("processed %d %s\n", uid, res.Outcome)
		if n == stall {
			fmt.Println("stalled")
			select {} // until SIGKILL
		}
	}
	_ = in.Run(context.Background())
}

// runChild starts the ingesting child and SIGKILLs it once it printed
// "stalled" (stall > 0) or its first "processed" line (stall 0: an
// arbitrary point of the work). It returns what the child printed.
func runChild(t *testing.T, dir, addr, user string, stall int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, childAddrEnv+"="+addr, childUserEnv+"="+user, childStall+"="+strconv.Itoa(stall))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	want := "stalled"
	if stall == 0 {
		want = "processed"
	}
	var got []string
	timeout := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("child exited early; printed %q", got)
			}
			got = append(got, l)
			done = strings.HasPrefix(l, want)
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("child printed %q, never %q", got, want)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred code runs
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for range lines { // drain
	}
	return got
}

func TestKill9DuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	srv := startIMAP(t, idleCaps)
	kill9Scenario(t, srv.addr, testUser)
}

// kill9Scenario fills the user's INBOX, lets a child process ingest it and
// SIGKILLs it twice (once between a message's outcome and its checkpoint,
// once at an arbitrary point), then lets a fresh ingestor finish and checks
// that every message was ingested exactly once.
func kill9Scenario(t *testing.T, addr, user string) {
	c := imapClient(t, addr, user, testPass)
	dir := t.TempDir()
	code := seedReport(t, dir)
	mails := [][]byte{
		mailSpec{Subject: "Rác ở chợ", MessageID: "k1@example.com", Body: "Rác thải tồn đọng ở cổng chợ Tuy Hòa."}.raw(),
		mailSpec{Subject: "Ổ gà", MessageID: "k2@example.com", Body: "Ổ gà lớn giữa đường Lê Duẩn rất nguy hiểm."}.raw(),
		mailSpec{Subject: "Re: " + SubjectTag(code), MessageID: "k3@example.com", Body: "Bổ sung thêm thông tin cho phản ánh."}.raw(),
		mailSpec{Subject: "Cây đổ", MessageID: "k4@example.com", Body: "Cây xanh đổ chắn lối đi.", JPEGs: [][]byte{testJPEG(t, 4)}}.raw(),
		[]byte("From: x@example.com\r\nMessage-ID: <k5@example.com>\r\nContent-Type: multipart/mixed\r\n\r\nbroken"),
		mailSpec{Subject: "Nước thải", MessageID: "k6@example.com", Body: "Nước thải chảy tràn ra đường Hùng Vương."}.raw(),
		// No Message-ID: keyed by a hash of the message.
		mailSpec{Subject: "Tiếng ồn", Body: "Karaoke gây ồn sau 23 giờ ở khu phố 3."}.raw(),
	}
	for _, m := range mails {
		appendMail(t, c, "INBOX", m)
	}
	t.Logf("child 1: %q", runChild(t, dir, addr, user, 3))
	t.Logf("child 2: %q", runChild(t, dir, addr, user, 0))

	st := mustStore(t, dir)
	cfg := testIMAPConfig(addr)
	cfg.User = user
	in, err := NewIngestor(cfg, newProcessor(st), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	runIngestor(t, in)
	eventually(t, "every message checkpointed", func() bool {
		cp, err := in.loadCheckpoint(context.Background())
		return err == nil && cp.LastUID >= imap.UID(len(mails))
	})

	keys := map[string]int{}
	for _, r := range reports(t, st) {
		keys[r.IdempotencyKey]++
	}
	if len(keys) != 6 { // the seeded report, k1, k2, k4, k6 and the hashed one
		t.Errorf("reports by key: %v, want 6 distinct", keys)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%d reports with key %q", n, k)
		}
	}
	if n := len(eventsOf(t, st, feedback.EventCitizenMessage)); n != 1 {
		t.Errorf("%d citizen messages, want 1", n)
	}
	if n := len(eventsOf(t, st, feedback.EventQuarantined)); n != 1 {
		t.Errorf("%d quarantine events, want 1", n)
	}
}

// seedReport files one report in the store in dir and closes it, and
// returns its code.
func seedReport(t *testing.T, dir string) string {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir, sqlite.WithLogger(quietLog()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rc, err := newProcessor(st).intake.Submit(context.Background(), intake.Submission{
		Channel: feedback.ChannelWeb, Text: "Đèn chiếu sáng công viên bị hỏng.", IdempotencyKey: "seed"})
	if err != nil {
		t.Fatal(err)
	}
	return rc.Report.Code
}
