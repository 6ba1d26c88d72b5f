package petitiontest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/petition"
)

// Mailbox records confirmation mails by recipient, so that a test client
// can follow the link sent for its own request.
type Mailbox struct {
	mu     sync.Mutex
	tokens map[string][]string // address -> tokens, oldest first
	sent   int
}

// Send implements petition.Mailer. It refuses mail not marked
// Auto-Submitted, so every test that signs by e-mail checks the mark.
func (m *Mailbox) Send(_ context.Context, msg petition.Mail) error {
	if !msg.AutoSubmitted {
		return fmt.Errorf("petitiontest: confirmation mail is not marked Auto-Submitted")
	}
	tok := TokenOf(msg.Text)
	if tok == "" {
		return fmt.Errorf("petitiontest: no confirmation link in %q", msg.Text)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string][]string{}
	}
	addr := msg.To.Address
	m.tokens[addr] = append(m.tokens[addr], tok)
	m.sent++
	return nil
}

// Take removes and returns the oldest token mailed to addr.
func (m *Mailbox) Take(addr string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.tokens[addr]
	if len(q) == 0 {
		return "", false
	}
	m.tokens[addr] = q[1:]
	return q[0], true
}

// TokenOf extracts the token of the confirmation link in a mail text.
func TokenOf(text string) string {
	_, rest, ok := strings.Cut(text, "?token=")
	if !ok {
		return ""
	}
	tok, _, _ := strings.Cut(rest, "\n")
	tok, _ = url.QueryUnescape(strings.TrimSpace(tok))
	return tok
}

// EnvFullLoad, when set, runs the full load scenario even on backends
// without atomic counters (FerretDB), where it takes minutes.
const EnvFullLoad = "PHANANH_TEST_PETITION_FULL_LOAD"

// variants spells one person's address in ways that reach one mailbox.
func variants(i int) []string {
	if i%2 == 0 {
		n := fmt.Sprintf("nguoi.ky%d", i)
		return []string{n + "@gmail.com", strings.ToUpper(n) + "@Gmail.com", strings.ReplaceAll(n, ".", "") + "+kn@googlemail.com",
			" " + n + "+abc@gmail.com ", "n.g.u.o.i.k.y" + itoa(i) + "@gmail.com"}
	}
	n := fmt.Sprintf("dan%d", i)
	return []string{n + "@phuyen.example.vn", strings.ToUpper(n) + "@PhuYen.Example.VN", n + "@phuyen.example.vn"}
}

// testServiceLoad is the load scenario: 32 clients submit 1,000 signatures
// for 300 people (every address in several spellings) and follow their
// links; exactly 300 are counted, and the 200-signature threshold of the
// demo city is reached once.
func testServiceLoad(t *testing.T, s Store, caps Caps) {
	if testing.Short() {
		t.Skip("load scenario skipped in -short mode")
	}
	ctx := context.Background()
	people, submissions, clients := 300, 1000, 32
	if !caps.AtomicCounters && os.Getenv(EnvFullLoad) == "" {
		// FerretDB: every write is several round trips through its SQL
		// backend and racing sequence numbers are retried, so the full
		// scenario takes minutes; a smaller one checks the unique index.
		people, submissions, clients = 60, 200, 8
	}
	mb := &Mailbox{}
	svc := petition.New(s, city.Demo(), petition.Config{Mailer: mb, BaseURL: "https://phananh.example.vn",
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: slog.New(slog.DiscardHandler)})
	p := approvedPetition(t, svc)

	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := map[string]int{}
	var firstErr error
	work := make(chan int)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				code, err := submitAndConfirm(ctx, svc, mb, p.ID, k, people)
				mu.Lock()
				errs[code]++
				if firstErr == nil && (code == feedback.EINTERNAL || code == feedback.EUNAVAILABLE) {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for k := range submissions {
		work <- k
	}
	close(work)
	wg.Wait()
	if errs[feedback.EINTERNAL] > 0 || errs[feedback.EUNAVAILABLE] > 0 || errs["missing mail"] > 0 {
		t.Fatalf("outcomes: %v; first failure: %v", errs, firstErr)
	}
	confirmed, err := allConfirmed(ctx, s, p.ID)
	must(t, err)
	if confirmed != people {
		t.Fatalf("%d confirmed signatures stored, want %d unique (outcomes %v)", confirmed, people, errs)
	}
	if !caps.AtomicCounters {
		t.Logf("counter and threshold checks skipped: the backend's concurrent updates are not atomic")
		return
	}
	if n, _ := svc.Count(ctx, p.ID); n != people {
		t.Fatalf("count = %d, want %d", n, people)
	}
	evs, err := s.Events(ctx, feedback.EventFilter{PetitionID: p.ID, Limit: 1000})
	must(t, err)
	if c := countType(evs, feedback.EventThresholdReached); c != 1 {
		t.Fatalf("%d threshold events, want 1 (200 of the demo city)", c)
	}
}

// submitAndConfirm is one client request: sign with a spelling of person
// k%people, then follow the link mailed for it. It returns the error code
// ("" for success) and the error.
func submitAndConfirm(ctx context.Context, svc *petition.Service, mb *Mailbox, id string, k, people int) (string, error) {
	vs := variants(k % people)
	addr := vs[(k/people)%len(vs)]
	err := svc.RequestEmail(ctx, petition.SignInput{PetitionID: id, Email: addr, Name: "Người dân", ShowName: k%3 == 0, IP: "203.0.113.1"})
	if err != nil {
		return feedback.ErrorCode(err), err
	}
	norm, _, _ := petition.NormalizeEmail(addr)
	tok, ok := mb.Take(norm)
	if !ok {
		return "missing mail", nil
	}
	_, err = svc.Confirm(ctx, tok)
	return feedback.ErrorCode(err), err
}

func allConfirmed(ctx context.Context, s Store, id string) (int, error) {
	n := 0
	for after := ""; ; {
		page, err := s.Signatures(ctx, feedback.SignatureFilter{PetitionID: id, Status: feedback.SignatureConfirmed, AfterID: after, Limit: 1000})
		if err != nil {
			return 0, err
		}
		n += len(page)
		if len(page) < 1000 {
			return n, nil
		}
		after = page[len(page)-1].ID
	}
}

// approvedPetition creates a petition through the service and approves it
// as a supervisor.
func approvedPetition(t *testing.T, svc *petition.Service) *feedback.Petition {
	t.Helper()
	ctx := context.Background()
	p, err := svc.Create(ctx, petition.CreateInput{Title: "Nạo vét kênh thoát nước phường 1", Text: "Kênh bị bồi lấp, mưa là ngập.",
		Category: "thoat_nuoc", Ward: "p1", Author: feedback.Contact{Email: "tacgia@example.vn"}})
	must(t, err)
	sup := feedback.Actor{User: &feedback.User{ID: "sup", Username: "sup", Role: feedback.RoleSupervisor}, IP: "127.0.0.1"}
	p, err = svc.Moderate(ctx, sup, p.ID, petition.Approve, "")
	must(t, err)
	if p.Status != feedback.PetitionOpen || p.ClosesAt.Sub(p.PublishedAt) != 30*24*time.Hour {
		t.Fatalf("approved petition: %+v", p)
	}
	return p
}
