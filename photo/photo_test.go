package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"reflect"
	"testing"

	"golang.org/x/image/webp"

	"phananh/feedback"
)

func mustClean(t *testing.T, in []byte, wantType string) []byte {
	t.Helper()
	out, ct, err := Clean(in)
	if err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if ct != wantType {
		t.Fatalf("content type = %s, want %s", ct, wantType)
	}
	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("cleaned image still contains %q", s)
		}
	}
	if bytes.Contains(out, gpsLat) {
		t.Error("cleaned image still contains the GPS latitude")
	}
	return out
}

func mustDecode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

// jpegSegments lists the markers before the first scan.
func jpegSegments(t *testing.T, b []byte) map[byte][][]byte {
	t.Helper()
	segs := map[byte][][]byte{}
	for i := 2; ; {
		m, seg, next, err := nextSegment(b, i)
		if err != nil {
			t.Fatal(err)
		}
		if m == mSOS {
			return segs
		}
		segs[m] = append(segs[m], seg)
		i = next
	}
}

func TestCleanJPEGRemovesMetadataLosslessly(t *testing.T) {
	in := cameraJPEG(t, 1)
	out := mustClean(t, in, JPEG)
	if bytes.Contains(out, []byte("Exif")) {
		t.Error("EXIF survived although orientation is 1")
	}
	if !reflect.DeepEqual(mustDecode(t, in), mustDecode(t, out)) {
		t.Error("pixels changed")
	}
	segs := jpegSegments(t, out)
	app0 := segs[mAPP0]
	if len(app0) != 1 || len(app0[0]) != 18 || app0[0][16] != 0 || app0[0][17] != 0 {
		t.Errorf("APP0 = %x, want JFIF without thumbnail", app0)
	}
	if !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
		t.Error("output does not end at EOI")
	}
	if len(out) >= len(in) {
		t.Errorf("output %d bytes, input %d", len(out), len(in))
	}
}

func TestCleanJPEGKeepsOnlyOrientation(t *testing.T) {
	in := cameraJPEG(t, 6)
	out := mustClean(t, in, JPEG)
	app1 := jpegSegments(t, out)[mAPP1]
	if len(app1) != 1 {
		t.Fatalf("%d APP1 segments, want 1", len(app1))
	}
	if got := exifOrientation(app1[0][4:]); got != 6 {
		t.Errorf("orientation = %d, want 6", got)
	}
	if len(app1[0]) != 36 {
		t.Errorf("APP1 is %d bytes, want the 36-byte orientation-only EXIF", len(app1[0]))
	}
	if !reflect.DeepEqual(mustDecode(t, in), mustDecode(t, out)) {
		t.Error("pixels changed")
	}
}

func TestCleanPNGDropsTextAndPrivateChunks(t *testing.T) {
	in := annotatedPNG(t)
	out := mustClean(t, in, PNG)
	for _, typ := range []string{"tEXt", "iTXt", "eXIf", "tIME", "prVt"} {
		if bytes.Contains(out, []byte(typ)) {
			t.Errorf("chunk %s survived", typ)
		}
	}
	if !bytes.Contains(out, []byte("pHYs")) {
		t.Error("pHYs (rendering information) was dropped")
	}
	if !reflect.DeepEqual(mustDecode(t, in), mustDecode(t, out)) {
		t.Error("pixels changed")
	}
}

func TestCleanWebPDropsMetadataAndFixesHeader(t *testing.T) {
	in := taggedWebP(t)
	out := mustClean(t, in, WebP)
	if got := binary.LittleEndian.Uint32(out[4:]); int(got) != len(out)-8 {
		t.Errorf("RIFF size = %d, file has %d", got, len(out)-8)
	}
	if flags := out[20]; flags&(vp8xEXIF|vp8xXMP) != 0 || flags&0x10 == 0 {
		t.Errorf("VP8X flags = %#x, want alpha only", flags)
	}
	want, err := webp.Decode(bytes.NewReader(mustBase64(t, webpAlpha)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, mustDecode(t, out)) {
		t.Error("pixels changed")
	}
	simple := mustBase64(t, webpLossless)
	if got := mustClean(t, simple, WebP); !bytes.Equal(got, simple) {
		t.Error("a simple WebP without metadata changed")
	}
}

func TestCleanRejects(t *testing.T) {
	var gifBuf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.White, color.Black})
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	jpg := cameraJPEG(t, 1)
	pngb := annotatedPNG(t)
	badCRC := bytes.Clone(pngb)
	badCRC[bytes.Index(badCRC, []byte("IDAT"))+8] ^= 0xFF
	wp := taggedWebP(t)
	huge := append(bytes.Clone(jpg[:20]), make([]byte, feedback.MaxPhotoBytes)...)
	tests := []struct {
		name string
		in   []byte
		code string
	}{
		{"empty", nil, feedback.EINVALID},
		{"text file renamed .jpg", []byte("Kính gửi UBND phường, đây là văn bản chứ không phải ảnh."), feedback.EINVALID},
		{"html", []byte("<!DOCTYPE html><html><body><img src=x></body></html>"), feedback.EINVALID},
		{"gif", gifBuf.Bytes(), feedback.EINVALID},
		{"jpeg cut in the scan", jpg[:len(jpg)*2/3], feedback.EINVALID},
		{"jpeg without EOI", jpg[:bytes.LastIndex(jpg, []byte{0xFF, 0xD9})], feedback.EINVALID},
		{"jpeg header only", jpg[:600], feedback.EINVALID},
		{"png without IEND", pngb[:bytes.Index(pngb, []byte("IEND"))], feedback.EINVALID},
		{"png with a bad CRC", badCRC, feedback.EINVALID},
		{"webp cut short", wp[:40], feedback.EINVALID},
		{"over the size limit", huge, feedback.ETOOLARGE},
		{"decompression bomb: huge side", bombPNG(30000, 10), feedback.ETOOLARGE},
		{"decompression bomb: too many pixels", bombPNG(10000, 10000), feedback.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ct, err := Clean(tt.in)
			var fe *feedback.Error
			if !errors.As(err, &fe) || fe.Code != tt.code || fe.Field != "photos" || fe.Message == "" {
				t.Fatalf("Clean = %d bytes, %q, %v; want %s on field photos", len(out), ct, err, tt.code)
			}
		})
	}
}

// bombPNG is a tiny PNG whose header declares a w×h canvas.
func bombPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := []byte(pngSignature)
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

func FuzzClean(f *testing.F) {
	f.Add(cameraJPEG(f, 1))
	f.Add(cameraJPEG(f, 8))
	f.Add(annotatedPNG(f))
	f.Add(taggedWebP(f))
	f.Add(mustBase64(f, webpLossless))
	f.Add([]byte("not an image"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ct, err := Clean(in)
		if err != nil {
			var fe *feedback.Error
			if !errors.As(err, &fe) || fe.Field != "photos" {
				t.Fatalf("error %v is not a photos field error", err)
			}
			return
		}
		if _, _, err := image.DecodeConfig(bytes.NewReader(out)); err != nil {
			t.Fatalf("cleaned %s no longer decodes: %v", ct, err)
		}
		again, ct2, err := Clean(out)
		if err != nil || ct2 != ct || !bytes.Equal(again, out) {
			t.Fatalf("Clean is not idempotent: %v", err)
		}
	})
}

// BenchmarkCleanJPEG cleans a 12-megapixel camera JPEG with EXIF.
func BenchmarkCleanJPEG(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + i/4096)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	in := append([]byte{0xFF, 0xD8}, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6)...))...)
	in = append(in, buf.Bytes()[2:]...)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Clean(in); err != nil {
			b.Fatal(err)
		}
	}
}
