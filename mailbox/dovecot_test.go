package mailbox

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"phananh/feedback"
)

const dovecotBin = "/usr/sbin/dovecot"

// dovecot is a throwaway Debian dovecot serving IMAP on 127.0.0.1 with
// maildirs in a temp dir.
type dovecot struct {
	addr string
	dir  string
	cmd  *exec.Cmd
	log  string
}

// startDovecot starts dovecot with users (all with password testPass). It
// skips when dovecot is missing, unless CI is set: then it fails, because
// `make test` installs it (scripts/test-deps.sh).
func startDovecot(t *testing.T, users ...string) *dovecot {
	t.Helper()
	if _, err := os.Stat(dovecotBin); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("%s is missing; CI must install dovecot-imapd (make test runs scripts/test-deps.sh)", dovecotBin)
		}
		t.Skipf("%s is missing: install dovecot-imapd (scripts/test-deps.sh) to run the IMAP integration test", dovecotBin)
	}
	// Under /tmp, not t.TempDir() (which may sit below an unreadable home):
	// dovecot's processes run as other users and need every parent
	// directory traversable.
	dir, err := os.MkdirTemp("/tmp", "phananh-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &dovecot{dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))), log: filepath.Join(dir, "dovecot.log")}
	conf := d.writeConfig(t, users)
	d.cmd = exec.Command(dovecotBin, "-F", "-c", conf)
	var out bytes.Buffer
	d.cmd.Stdout, d.cmd.Stderr = &out, &out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", d.addr, time.Second)
		if err == nil {
			c.Close()
			return d
		}
		if time.Now().After(deadline) || d.cmd.ProcessState != nil {
			logText, _ := os.ReadFile(d.log)
			t.Fatalf("dovecot did not start: %v\n%s\n%s", err, out.String(), logText)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *dovecot) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-done
	}
}

// writeConfig writes dovecot.conf and the passwd-file. As root (CI), the
// mail processes run as nobody, because dovecot refuses mail access as
// UID 0; otherwise everything runs as the current user.
func (d *dovecot) writeConfig(t *testing.T, users []string) string {
	t.Helper()
	uid, gid := os.Getuid(), os.Getgid()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	loginUser, internalUser, internalGroup := me.Username, me.Username, mustGroup(t)
	if uid == 0 {
		uid, gid = 65534, 65534
		loginUser, internalUser, internalGroup = "dovenull", "dovecot", "dovecot"
	}
	mail := filepath.Join(d.dir, "mail")
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(mail, uid, gid); err != nil {
		t.Fatal(err)
	}
	var passwd bytes.Buffer
	for _, u := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s:%d:%d::%s/%s\n", u, testPass, uid, gid, mail, u)
	}
	pw := filepath.Join(d.dir, "passwd")
	if err := os.WriteFile(pw, passwd.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(d.addr)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[2]s
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = %[3]s
default_internal_user = %[4]s
default_internal_group = %[7]s
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = %[5]s
}
userdb {
  driver = passwd-file
  args = %[5]s
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]s
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`, d.dir, d.log, loginUser, internalUser, pw, port, internalGroup)
	path := filepath.Join(d.dir, "dovecot.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustGroup(t *testing.T) string {
	t.Helper()
	g, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	return g.Name
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestDovecotKill9DuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dovecot and child processes")
	}
	d := startDovecot(t, "crash@tuyhoa.example.vn")
	kill9Scenario(t, d.addr, "crash@tuyhoa.example.vn")
}

// TestDovecotMailbox runs the whole round trip against a real IMAP server:
// intake, repeats, threading, loops, quarantine, charsets and the mails
// the citizen gets.
func TestDovecotMailbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dovecot")
	}
	d := startDovecot(t, testUser)
	e := ingestEnvAt(t, d.addr, testUser, "Done")
	// New mail arrives through IDLE; the poll is only a safety net here
	// (dovecot checks every 30 s when inotify is unavailable).
	e.in.cfg.Poll = 5 * time.Second
	runIngestor(t, e.in)
	n := &notifyEnv{store: e.store, sink: startSMTP(t), proc: e.in.proc}
	n.start(t)

	first := mailSpec{Subject: "Rác thải trước chợ", MessageID: "dc1@example.com",
		Body: "Rác thải ùn ứ trước cổng chợ, bốc mùi.", JPEGs: [][]byte{testJPEG(t, 9)}}.raw()
	e.deliver(t, first)
	rs := reports(t, e.store)
	if len(rs) != 1 || len(rs[0].Photos) != 1 {
		t.Fatalf("reports %d, want 1 with a photo", len(rs))
	}
	code := rs[0].Code
	ack := n.mails(t, 1)[0]

	e.deliver(t, first) // the same message again
	e.deliver(t, mailSpec{Subject: "Re: " + ack.subject, MessageID: "dc2@example.com", InReplyTo: ack.id,
		Body: "Xin gửi thêm: rác cả ở cổng sau."}.raw())
	e.deliver(t, mailSpec{Subject: "Vắng mặt", MessageID: "dc3@example.com", Headers: []string{"Auto-Submitted: auto-replied"},
		Body: "Tôi vắng mặt đến thứ Hai."}.raw())
	e.deliver(t, []byte("From: x@example.com\r\nMessage-ID: <dc4@example.com>\r\nContent-Type: multipart/mixed\r\n\r\nbroken"))
	body1258 := encode1258(t, "Đèn đường khu phố 6 phường 9 tắt hết, rất nguy hiểm.")
	e.deliver(t, append([]byte("From: binh@example.com\r\nSubject: "+qWord(encode1258(t, "Đèn đường"))+"\r\n"+
		"Message-ID: <dc5@example.com>\r\nContent-Type: text/plain; charset=windows-1258\r\n"+
		"Content-Transfer-Encoding: 8bit\r\n\r\n"), body1258...))

	rs = reports(t, e.store)
	if len(rs) != 2 {
		t.Fatalf("%d reports, want 2 (the repeat, the reply, the auto-reply and the broken mail file none)", len(rs))
	}
	var vn string
	for _, r := range rs {
		if r.Code != code {
			vn = r.Text
		}
	}
	if want := "Đèn đường khu phố 6 phường 9 tắt hết, rất nguy hiểm."; !strings.Contains(vn, want) {
		t.Errorf("windows-1258 report text %q lacks %q", vn, want)
	}
	if m := eventsOf(t, e.store, feedback.EventCitizenMessage); len(m) != 1 || m[0].ReportCode != code {
		t.Errorf("citizen messages %+v", m)
	}
	if q := eventsOf(t, e.store, feedback.EventQuarantined); len(q) != 1 {
		t.Errorf("%d quarantine events, want 1", len(q))
	}
	if c := folderCount(t, e.client, "Quarantine"); c != 1 {
		t.Errorf("Quarantine folder has %d messages, want 1", c)
	}
	// Moving to Done follows the checkpoint: wait for it.
	eventually(t, "INBOX emptied into Done", func() bool { return folderCount(t, e.client, "INBOX") == 0 })

	n.change(t, code, feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: "user:u1", To: feedback.StatusInProgress})
	mails := n.mails(t, 3) // both acknowledgements and the status mail
	status := mails[2]
	if len(status.inReplyTo) != 1 || status.inReplyTo[0] != ack.id || !strings.HasPrefix(status.subject, SubjectTag(code)) {
		t.Errorf("status mail %q In-Reply-To %v, want %q", status.subject, status.inReplyTo, ack.id)
	}
}
