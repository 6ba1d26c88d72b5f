package photo

import (
	"encoding/binary"
	"errors"
)

// VP8X flags for the metadata chunks.
const (
	vp8xEXIF = 0x08
	vp8xXMP  = 0x04
)

// webpKeep lists the RIFF chunks a cleaned WebP keeps: image data, alpha,
// animation and the colour profile. EXIF, XMP and unknown chunks go.
var webpKeep = map[string]bool{
	"VP8 ": true, "VP8L": true, "VP8X": true, "ALPH": true,
	"ANIM": true, "ANMF": true, "ICCP": true,
}

// cleanWebP drops metadata chunks, clears their VP8X flags and rewrites the
// RIFF size. Bytes after the RIFF container are dropped.
func cleanWebP(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return nil, errors.New("no RIFF WEBP header")
	}
	size := int64(binary.LittleEndian.Uint32(b[4:]))
	if size < 4 || 8+size > int64(len(b)) {
		return nil, errTruncated
	}
	b = b[:8+size]
	out := make([]byte, 12, len(b))
	copy(out, "RIFF\x00\x00\x00\x00WEBP")
	vp8x := -1
	for i := int64(12); i < int64(len(b)); {
		if i+8 > int64(len(b)) {
			return nil, errTruncated
		}
		fcc := string(b[i : i+4])
		n := int64(binary.LittleEndian.Uint32(b[i+4:]))
		end := i + 8 + n + n&1
		if end > int64(len(b)) {
			return nil, errTruncated
		}
		if webpKeep[fcc] {
			if fcc == "VP8X" {
				if n < 10 || vp8x >= 0 {
					return nil, errors.New("bad VP8X chunk")
				}
				vp8x = len(out)
			}
			out = append(out, b[i:end]...)
		}
		i = end
	}
	if vp8x >= 0 {
		out[vp8x+8] &^= vp8xEXIF | vp8xXMP
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
