// Package photo validates citizens' photos and removes their metadata.
//
// A phone photo carries EXIF: GPS coordinates of the citizen's home, the
// device's make and serial number, the time it was taken. Clean keeps only
// what is needed to display the picture. It works losslessly on the
// encoded bytes (the pixels are never decoded and re-encoded), so it is fast
// and never degrades the picture.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG header decoder for image.DecodeConfig
	_ "image/png"  // registers PNG
	"net/http"

	_ "golang.org/x/image/webp" // registers WebP

	"phananh/feedback"
)

// Limits on what a photo may claim to be. A small file can declare an
// enormous canvas (a decompression bomb) that would exhaust memory in
// whatever later decodes it (thumbnails, the staff viewer).
const (
	MaxSide   = 16384      // pixels, either dimension (WebP's own limit)
	MaxPixels = 64_000_000 // width × height, above a 50 MP phone camera
)

// Content types Clean returns.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
)

var errTruncated = errors.New("truncated")

// Clean checks that data is a JPEG, PNG or WebP image, judging by its bytes
// only (never by a file name or a declared type), and returns it without
// metadata, with its content type.
//
// Errors: ETOOLARGE (field "photos") for more than feedback.MaxPhotoBytes or
// a canvas over MaxSide/MaxPixels; EINVALID (field "photos") for anything
// that is not a well-formed image of an accepted type.
func Clean(data []byte) (clean []byte, contentType string, err error) {
	if len(data) > feedback.MaxPhotoBytes {
		return nil, "", tooLarge(fmt.Errorf("%d bytes", len(data)))
	}
	ct := http.DetectContentType(data)
	switch ct {
	case JPEG, PNG, WebP:
	default:
		return nil, "", notImage(fmt.Errorf("sniffed %s", ct))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", notImage(fmt.Errorf("%s header: %w", ct, err))
	}
	if "image/"+format != ct {
		return nil, "", notImage(fmt.Errorf("sniffed %s, decoded %s", ct, format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, "", tooLarge(fmt.Errorf("canvas %dx%d", cfg.Width, cfg.Height))
	}
	switch ct {
	case JPEG:
		clean, err = cleanJPEG(data)
	case PNG:
		clean, err = cleanPNG(data)
	default:
		clean, err = cleanWebP(data)
	}
	if err != nil {
		return nil, "", notImage(fmt.Errorf("%s: %w", ct, err))
	}
	return clean, ct, nil
}

func notImage(cause error) error {
	return &feedback.Error{
		Code:      feedback.EINVALID,
		Field:     "photos",
		Message:   "Tệp đính kèm không phải ảnh hợp lệ. Vui lòng gửi ảnh JPEG, PNG hoặc WebP.",
		MessageEN: "The attachment is not a valid image. Please send a JPEG, PNG or WebP photo.",
		Err:       cause,
	}
}

func tooLarge(cause error) error {
	return &feedback.Error{
		Code:      feedback.ETOOLARGE,
		Field:     "photos",
		Message:   fmt.Sprintf("Ảnh quá lớn. Mỗi ảnh tối đa %d MB và %d megapixel.", feedback.MaxPhotoBytes>>20, MaxPixels/1_000_000),
		MessageEN: fmt.Sprintf("The photo is too large. Each photo may be at most %d MB and %d megapixels.", feedback.MaxPhotoBytes>>20, MaxPixels/1_000_000),
		Err:       cause,
	}
}
