package bot

import (
	"crypto/subtle"
	"net/http"
)

// SecretHeader carries the webhook secret Telegram sends with every update.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds a webhook body; updates are small JSON documents
// (photos arrive as file ids, not bytes).
const maxUpdateBytes = 1 << 20

// Webhook returns the handler Telegram posts updates to in webhook mode.
// A request without the right secret gets 401 and is not read. An update
// that failed for a transient reason gets 500, so Telegram delivers it
// again; anything else gets 200, even an update the bot ignored.
func (b *Bot) Webhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get(SecretHeader))
		if b.hookKey == "" || subtle.ConstantTimeCompare(got, []byte(b.hookKey)) != 1 {
			b.log.WarnContext(r.Context(), "telegram: webhook request with a wrong secret")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		u, err := decodeUpdate(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if err := b.HandleUpdate(r.Context(), u); err != nil {
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
