package mailbox

import (
	"strings"

	"github.com/emersion/go-message/mail"
)

// autoReplyReason says why a message was written by a machine (RFC 3834
// Auto-Submitted, Precedence, the X-Autoreply family, bounces), "" when a
// person wrote it. Mail from our own address is checked by the caller,
// which knows it.
func autoReplyReason(h mail.Header) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "auto-submitted"
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return "precedence"
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Auto-Response"} {
		if v := strings.ToLower(strings.TrimSpace(h.Get(k))); v != "" && v != "no" {
			return "x-autoreply"
		}
	}
	if h.Has("X-Loop") && strings.Contains(strings.ToLower(h.Get("X-Loop")), "phananh") {
		return "loop"
	}
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return "bounce"
	}
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		local := strings.ToLower(from[0].Address)
		if i := strings.IndexByte(local, '@'); i >= 0 {
			local = local[:i]
		}
		switch local {
		case "mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply":
			return "system sender"
		}
	}
	return ""
}
