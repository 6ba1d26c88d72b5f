package webui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"phananh/feedback"
)

// Where the form-token secret is kept, so that every instance sharing a
// store signs and checks form tokens with the same key.
const (
	secretNamespace = "webui"
	secretKey       = "form_secret"
)

// FormSecret returns the form-token secret stored in st, creating it on
// first use. Pass it as Config.FormSecret.
func FormSecret(ctx context.Context, st feedback.StateStore) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := st.PutStateIfAbsent(ctx, secretNamespace, secretKey, []byte(hex.EncodeToString(b)), time.Time{}); err != nil {
		return nil, fmt.Errorf("webui: form secret: %w", err)
	}
	v, err := st.State(ctx, secretNamespace, secretKey)
	if err != nil {
		return nil, fmt.Errorf("webui: form secret: %w", err)
	}
	secret, err := hex.DecodeString(string(v))
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("webui: form secret: stored value is malformed")
	}
	return secret, nil
}
