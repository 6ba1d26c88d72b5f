package petition

import (
	"net/mail"
	"strconv"
	"strings"

	"phananh/feedback"
)

// plusProviders ignore "+tag" in the local part: user+x@ reaches user@.
// Gmail also ignores dots. Elsewhere the local part is only lower-cased:
// other servers may treat "+" and "." as significant.
var plusProviders = map[string]bool{
	"gmail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "fastmail.com": true,
	"proton.me": true, "protonmail.com": true, "pm.me": true, "yandex.com": true, "yandex.ru": true,
}

// domainAliases map a domain to the one whose mailboxes it shares.
var domainAliases = map[string]string{"googlemail.com": "gmail.com"}

func canonicalDomain(d string) string {
	if a, ok := domainAliases[d]; ok {
		return a
	}
	return d
}

// NormalizeEmail returns the canonical form of an address, under which two
// spellings of one mailbox compare equal: lower case; googlemail.com as
// gmail.com; for Gmail dots removed; for providers that ignore them,
// "+tag" suffixes removed. It also returns the canonical domain.
// Errors: EINVALID field "email".
func NormalizeEmail(s string) (addr, domain string, err error) {
	s = strings.TrimSpace(s)
	a, perr := mail.ParseAddress(s)
	if perr != nil || a.Address != s || len(s) > 254 {
		return "", "", feedback.FieldError("email", "Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
	}
	local, domain, ok := strings.Cut(strings.ToLower(a.Address), "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(local, "\"") {
		return "", "", feedback.FieldError("email", "Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
	}
	domain = canonicalDomain(strings.TrimSuffix(domain, "."))
	if plusProviders[domain] {
		local, _, _ = strings.Cut(local, "+")
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" {
		return "", "", feedback.FieldError("email", "Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
	}
	return local + "@" + domain, domain, nil
}

// emailIdentity is the uniqueness key of an e-mail signer.
func emailIdentity(normalized string) string { return feedback.HashSecret("email:" + normalized) }

// telegramIdentity is the uniqueness key of a Telegram signer.
func telegramIdentity(chatID int64) string {
	return feedback.HashSecret("telegram:" + strconv.FormatInt(chatID, 10))
}
