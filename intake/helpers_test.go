package intake

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"sync"
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/store/sqlite"
)

// monday is 09:00 on Monday 10 March 2025 in Tuy Hòa.
var monday = time.Date(2025, 3, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// recorder is a Publisher that remembers what it was given.
type recorder struct {
	mu     sync.Mutex
	events []feedback.Event
}

func (r *recorder) Publish(events []feedback.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
}

func (r *recorder) all() []feedback.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]feedback.Event(nil), r.events...)
}

// scripted is a Classifier that answers what the test says, standing in for
// a model whose quality is not what these tests are about.
type scripted struct {
	out feedback.Classification
	err error
}

func (s scripted) Classify(context.Context, feedback.ClassifyInput) (feedback.Classification, error) {
	return s.out, s.err
}

type env struct {
	svc   *Service
	store *sqlite.Store
	pub   *recorder
	city  *city.City
}

// mustEnv returns a Service on a real SQLite store in a temp dir.
func mustEnv(tb testing.TB, cls feedback.Classifier) *env {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, tb.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	e := &env{store: st, pub: &recorder{}, city: city.Demo()}
	e.svc = New(Deps{Store: st, City: e.city, Classifier: cls, Publisher: e.pub,
		Now: func() time.Time { return monday }})
	return e
}

func ptr(f float64) *float64 { return &f }

// submission returns a valid web submission.
func submission(text string) Submission {
	return Submission{Channel: feedback.ChannelWeb, Text: text, Public: true,
		Reporter: feedback.Contact{Name: "Nguyễn Văn A", Phone: "0905 123 456"}}
}

// exifJPEG is a real JPEG carrying an EXIF segment with a marker string.
func exifJPEG(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00GPS-SECRET-13.0951N")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func errCode(err error) string { return feedback.ErrorCode(err) }

func fieldOf(err error) string {
	if e := feedback.AsError(err); e != nil {
		return e.Field
	}
	return ""
}
