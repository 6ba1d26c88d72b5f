package photo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

const pngSignature = "\x89PNG\r\n\x1a\n"

// pngKeep lists the chunks a cleaned PNG keeps: the critical chunks and the
// ancillary chunks that only describe how to render pixels (transparency,
// colour space, gamma, density, animation). Everything else goes, notably
// tEXt, zTXt, iTXt (authors, software, comments, XMP), eXIf and tIME, and
// any private chunk.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true,
	"sBIT": true, "pHYs": true, "bKGD": true, "hIST": true,
	"cICP": true, "mDCv": true, "cLLi": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// cleanPNG copies the chunks to keep, checking every CRC, up to IEND; a
// critical chunk it does not know is an error, as PNG requires.
func cleanPNG(b []byte) ([]byte, error) {
	if len(b) < len(pngSignature) || string(b[:len(pngSignature)]) != pngSignature {
		return nil, errors.New("no PNG signature")
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	for i := len(pngSignature); ; {
		if i+12 > len(b) {
			return nil, errTruncated
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		end := int64(i) + 12 + n
		if end > int64(len(b)) {
			return nil, errTruncated
		}
		typ := string(b[i+4 : i+8])
		body := b[i+4 : end-4]
		if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(b[end-4:]) {
			return nil, fmt.Errorf("chunk %q: bad CRC", typ)
		}
		critical := typ[0]&0x20 == 0
		switch {
		case pngKeep[typ]:
			out = append(out, b[i:end]...)
		case critical:
			return nil, fmt.Errorf("unknown critical chunk %q", typ)
		}
		if typ == "IEND" {
			return out, nil
		}
		i = int(end)
	}
}
