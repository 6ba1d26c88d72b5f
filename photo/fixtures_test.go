package photo

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Strings planted in fixtures' metadata; none may survive Clean.
var secrets = []string{"PhananhPhone", "Nguyen Van A", "0905123456", "xmpmeta", "Photoshop", "ICC_PROFILE", "SECRET-TRAILER", "2024:05:01"}

// gpsLat is the GPS latitude the fixtures carry, as EXIF rationals 13/1 5/1 42/1.
var gpsLat = []byte{0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 42, 0, 0, 0, 1}

// exifTIFF returns a big-endian TIFF structure as a camera writes it: IFD0
// with Make, Orientation, DateTime and a GPS IFD with latitude and longitude.
func exifTIFF(orientation int) []byte {
	be := binary.BigEndian
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8}
	entry := func(tag, typ uint16, count, value uint32) {
		b = be.AppendUint16(b, tag)
		b = be.AppendUint16(b, typ)
		b = be.AppendUint32(b, count)
		b = be.AppendUint32(b, value)
	}
	// IFD0 at 8: 4 entries -> 2+48+4 = 54 bytes, data from 62.
	const make_, date, gps = 62, 78, 98
	b = be.AppendUint16(b, 4)
	entry(0x010F, 2, 16, make_)                  // Make
	entry(0x0112, 3, 1, uint32(orientation)<<16) // Orientation (SHORT, left-justified)
	entry(0x0132, 2, 20, date)                   // DateTime
	entry(0x8825, 4, 1, gps)                     // GPSInfo IFD pointer
	b = be.AppendUint32(b, 0)                    // no IFD1
	b = append(b, "PhananhPhone X1\x00"...)      // 62..78
	b = append(b, "2024:05:01 07:12:33\x00"...)  // 78..98
	b = be.AppendUint16(b, 4)                    // GPS IFD at 98: 54 bytes, data from 152
	entry(0x0001, 2, 2, uint32('N')<<24)         // GPSLatitudeRef
	entry(0x0002, 5, 3, 152)                     // GPSLatitude
	entry(0x0003, 2, 2, uint32('E')<<24)         // GPSLongitudeRef
	entry(0x0004, 5, 3, 176)                     // GPSLongitude
	b = be.AppendUint32(b, 0)
	b = append(b, gpsLat...)
	return append(b, 0, 0, 0, 109, 0, 0, 0, 1, 0, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0, 36, 0, 0, 0, 1)
}

func testImage() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 4), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	return append(s, payload...)
}

// cameraJPEG returns a real JPEG carrying what phones and editors add: JFIF
// with a thumbnail, EXIF with GPS, XMP, IPTC, an ICC profile, a comment and
// bytes after EOI.
func cameraJPEG(tb testing.TB, orientation int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	enc := buf.Bytes()
	jfif := append([]byte("JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x02\x01"), "\xff\x00\x00\x00\xff\x00"...) // 2x1 RGB thumbnail
	var b []byte
	b = append(b, 0xFF, 0xD8)
	b = append(b, segment(0xE0, jfif)...)
	b = append(b, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...))...)
	b = append(b, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>Nguyen Van A</dc:creator></x:xmpmeta>"))...)
	b = append(b, segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01device model PhananhPhone"))...)
	b = append(b, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x50\x00\x0cNguyen Van A"))...)
	b = append(b, segment(0xFE, []byte("Chụp bởi Nguyen Van A, 0905123456"))...)
	b = append(b, enc[2:]...)
	return append(b, "SECRET-TRAILER"...)
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// annotatedPNG returns a real PNG with text, EXIF, time and private chunks.
func annotatedPNG(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		tb.Fatal(err)
	}
	enc := buf.Bytes()
	ihdrEnd := 8 + 12 + 13
	var b []byte
	b = append(b, enc[:ihdrEnd]...)
	b = append(b, pngChunk("pHYs", []byte{0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1})...)
	b = append(b, pngChunk("tEXt", []byte("Author\x00Nguyen Van A 0905123456"))...)
	b = append(b, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta/>"))...)
	b = append(b, pngChunk("eXIf", exifTIFF(1))...)
	b = append(b, pngChunk("tIME", []byte{0x07, 0xE8, 5, 1, 7, 12, 33})...)
	b = append(b, pngChunk("prVt", []byte("PhananhPhone"))...)
	b = append(b, enc[ihdrEnd:]...)
	return append(b, "SECRET-TRAILER"...)
}

// webpAlpha is a 1×1 extended WebP (VP8X + ALPH + VP8).
const webpAlpha = "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA=="

// webpLossless is a 1×1 simple lossless WebP.
const webpLossless = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

func mustBase64(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// taggedWebP returns the extended WebP with EXIF and XMP chunks and flags, and
// bytes after the RIFF container.
func taggedWebP(tb testing.TB) []byte {
	tb.Helper()
	b := mustBase64(tb, webpAlpha)
	b[20] |= vp8xEXIF | vp8xXMP
	add := func(fcc string, data []byte) {
		b = append(b, fcc...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, data...)
		if len(data)%2 == 1 {
			b = append(b, 0)
		}
	}
	add("EXIF", exifTIFF(1))
	add("XMP ", []byte("<x:xmpmeta><dc:creator>Nguyen Van A</dc:creator></x:xmpmeta>!"))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return append(b, "SECRET-TRAILER"...)
}
