package photo

import (
	"bytes"
	"encoding/binary"
)

// exifHeader starts the payload of a JPEG APP1 segment holding EXIF.
var exifHeader = []byte("Exif\x00\x00")

const tagOrientation = 0x0112

// exifOrientation returns the Orientation tag (1..8) of IFD0 in an APP1
// payload, or 1 when there is none or the payload is malformed.
func exifOrientation(p []byte) int {
	if !bytes.HasPrefix(p, exifHeader) {
		return 1
	}
	t := p[len(exifHeader):]
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := int64(bo.Uint32(t[4:]))
	if off+2 > int64(len(t)) {
		return 1
	}
	n := int64(bo.Uint16(t[off:]))
	for k := int64(0); k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			break
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		// SHORT (3), count 1: the value sits in the first two bytes.
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orientationSegment returns a complete APP1 segment whose EXIF holds one
// tag, Orientation, and nothing else.
func orientationSegment(v int) []byte {
	payload := make([]byte, 0, 32)
	payload = append(payload, exifHeader...)
	payload = append(payload, 'M', 'M', 0, 42, 0, 0, 0, 8) // TIFF header, IFD0 at 8
	payload = append(payload, 0, 1)                        // one entry
	payload = append(payload, byte(tagOrientation>>8), byte(tagOrientation&0xff), 0, 3, 0, 0, 0, 1, 0, byte(v), 0, 0)
	payload = append(payload, 0, 0, 0, 0) // no next IFD
	seg := []byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}
	return append(seg, payload...)
}
