package feedback

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// codeAlphabet is Crockford's base32: no I, L, O or U, so a code read aloud
// or typed on a phone is hard to get wrong.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLen is the length of a public tracking code.
const CodeLen = 8

// NewCode returns a random tracking code (40 bits of entropy).
func NewCode() string {
	var b [CodeLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = codeAlphabet[b[i]&31]
	}
	return string(b[:])
}

// NormalizeCode canonicalises a typed code: upper case, spaces and dashes
// removed, and the look-alikes I, L → 1 and O → 0. It returns "" when the
// result is not a well-formed code.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '-':
			continue
		case 'I', 'L':
			r = '1'
		case 'O':
			r = '0'
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLen {
		return ""
	}
	return b.String()
}

// NewID returns a 128-bit identifier in hex: 48 bits of Unix milliseconds
// then 80 random bits (the UUIDv7 layout without version bits). Ids made
// close in time sort close together, so a store's primary-key index gets
// appended to instead of written at random pages; the tracking code, the
// only identifier citizens see, stays fully random.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return hex.EncodeToString(b[:])
}

// NewSecret returns a random 256-bit secret (reporter token, session token,
// confirmation token) and the hex sha256 under which it is stored.
func NewSecret() (secret, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	secret = hex.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret returns the hex sha256 of a secret, the form stored server-side.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
