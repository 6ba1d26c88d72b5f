package photo

import (
	"bytes"
	"errors"
	"fmt"
)

// JPEG markers that matter here.
const (
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mAPP0 = 0xE0
	mAPP1 = 0xE1
	mAPPE = 0xEE // APP14, "Adobe"
	mAPPF = 0xEF
	mCOM  = 0xFE
)

// cleanJPEG rewrites a JPEG segment by segment, keeping the image data
// byte for byte:
//   - APP1..APP15 (EXIF, XMP, ICC, IPTC/Photoshop, maker data) and COM are
//     dropped. The exception is APP14 "Adobe", which holds only the colour
//     transform flag: without it CMYK scans decode with wrong colours.
//   - APP0 JFIF is rewritten without its embedded thumbnail (a thumbnail
//     can show what the citizen cropped out); other APP0 payloads go.
//   - Anything after EOI is dropped.
//
// Orientation: phones store pictures sideways and set EXIF Orientation, which
// browsers honour. Dropping it would show every portrait photo lying on its
// side, and rotating would mean re-encoding (lossy). So when Orientation is
// not 1, a fresh APP1 carrying only that tag is written after SOI/APP0; no
// other EXIF field survives.
func cleanJPEG(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != mSOI {
		return nil, errors.New("no SOI")
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, mSOI)
	insertAt, orientation, scans := 2, 1, 0
	for i := 2; ; {
		m, seg, next, err := nextSegment(b, i)
		if err != nil {
			return nil, err
		}
		i = next
		switch {
		case m == mEOI:
			if scans == 0 {
				return nil, errors.New("no image data")
			}
			out = append(out, 0xFF, mEOI)
			if orientation != 1 {
				out = insertBytes(out, insertAt, orientationSegment(orientation))
			}
			return out, nil
		case seg == nil: // standalone marker (RSTn, TEM)
			out = append(out, 0xFF, m)
		case m == mAPP0:
			if jfif := cleanJFIF(seg); jfif != nil {
				out = append(out, jfif...)
				if insertAt == 2 {
					insertAt = len(out)
				}
			}
		case m == mAPP1:
			if o := exifOrientation(seg[4:]); o != 1 && orientation == 1 {
				orientation = o
			}
		case m == mAPPE && bytes.HasPrefix(seg[4:], []byte("Adobe")):
			out = append(out, seg...)
		case m > mAPP1 && m <= mAPPF, m == mCOM:
			// metadata: dropped
		case m == mSOS:
			end, err := scanEntropy(b, i)
			if err != nil {
				return nil, err
			}
			out = append(out, seg...)
			out = append(out, b[i:end]...)
			i, scans = end, scans+1
		default:
			out = append(out, seg...)
		}
	}
}

// nextSegment reads the marker at b[i:] and returns it with its whole
// segment (marker and length included; nil for standalone markers) and the
// index after it.
func nextSegment(b []byte, i int) (marker byte, seg []byte, next int, err error) {
	if i >= len(b) {
		return 0, nil, 0, errTruncated
	}
	if b[i] != 0xFF {
		return 0, nil, 0, fmt.Errorf("byte %#x at %d where a marker belongs", b[i], i)
	}
	for i < len(b) && b[i] == 0xFF { // fill bytes
		i++
	}
	if i >= len(b) {
		return 0, nil, 0, errTruncated
	}
	m := b[i]
	i++
	switch {
	case m == 0x00:
		return 0, nil, 0, errors.New("stuffed byte outside scan data")
	case m == mSOI:
		return 0, nil, 0, errors.New("second SOI")
	case m == mEOI, m == 0x01, m >= 0xD0 && m <= 0xD7:
		return m, nil, i, nil
	}
	if i+2 > len(b) {
		return 0, nil, 0, errTruncated
	}
	n := int(b[i])<<8 | int(b[i+1])
	if n < 2 {
		return 0, nil, 0, fmt.Errorf("segment %#x has length %d", m, n)
	}
	if i+n > len(b) {
		return 0, nil, 0, errTruncated
	}
	seg = append([]byte{0xFF, m}, b[i:i+n]...)
	return m, seg, i + n, nil
}

// scanEntropy returns the index of the first marker after the entropy-coded
// data starting at b[i]: stuffed bytes (FF 00), restart markers and fill
// bytes belong to the data.
func scanEntropy(b []byte, i int) (int, error) {
	for {
		j := bytes.IndexByte(b[i:], 0xFF)
		if j < 0 {
			return 0, errTruncated
		}
		i += j
		if i+1 >= len(b) {
			return 0, errTruncated
		}
		switch nx := b[i+1]; {
		case nx == 0x00, nx >= 0xD0 && nx <= 0xD7:
			i += 2
		case nx == 0xFF:
			i++
		default:
			return i, nil
		}
	}
}

// cleanJFIF returns a JFIF APP0 segment with the thumbnail removed, or nil
// when seg is not JFIF (JFXX thumbnails and other APP0 uses are dropped).
func cleanJFIF(seg []byte) []byte {
	p := seg[4:]
	if len(p) < 14 || !bytes.HasPrefix(p, []byte("JFIF\x00")) {
		return nil
	}
	out := []byte{0xFF, mAPP0, 0, 16}
	out = append(out, p[:12]...) // identifier, version, units, densities
	return append(out, 0, 0)     // no thumbnail
}

func insertBytes(b []byte, at int, ins []byte) []byte {
	out := make([]byte, 0, len(b)+len(ins))
	out = append(out, b[:at]...)
	out = append(out, ins...)
	return append(out, b[at:]...)
}
