package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// bigJPEG is a 1600x1200 photo-like JPEG (a few hundred KB).
func bigJPEG(b *testing.B) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := range 1200 {
		for x := range 1600 {
			img.Set(x, y, color.RGBA{uint8(x*y + x), uint8(y ^ x), uint8(x + 3*y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkParseMessage(b *testing.B) {
	raw := mailSpec{Subject: "Rác thải", MessageID: "bench@example.com", Body: "Rác thải ùn ứ trước chợ.",
		JPEGs: [][]byte{bigJPEG(b)}}.raw()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMessage(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcess is the whole inbound path minus IMAP: parse, clean the
// photo, classify-free intake, SQLite commit, done record.
func BenchmarkProcess(b *testing.B) {
	st := mustStore(b, b.TempDir())
	p := newProcessor(st)
	photo := bigJPEG(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		raw := mailSpec{Subject: "Rác thải", MessageID: fmt.Sprintf("bench-%d@example.com", i),
			Body: "Rác thải ùn ứ trước chợ.", JPEGs: [][]byte{photo}}.raw()
		if res, err := p.Process(ctx, raw); err != nil || res.Outcome != OutcomeCreated {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
