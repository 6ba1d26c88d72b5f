package live

import (
	"context"
	"net"
	"net/http"

	"phananh/feedback"
)

// clientKeyCtx carries the key a connection is counted under.
type clientKeyCtx struct{}

// WithClient returns ctx naming the client a websocket request comes
// from (its address as the server's trusted-proxy rules see it, IPv6 by
// network); Serve counts connections per client under that key. Without
// it the request's remote address is used.
func WithClient(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, clientKeyCtx{}, key)
}

func clientOf(r *http.Request) string {
	if k, ok := r.Context().Value(clientKeyCtx{}).(string); ok && k != "" {
		return k
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func errTooManyConnections() error {
	return feedback.Errorf(feedback.ERATELIMIT, "Có quá nhiều kết nối cập nhật trực tiếp từ thiết bị của bạn. Vui lòng đóng bớt các trang đang mở.",
		"Too many live connections from your device. Please close some open pages.")
}

// admit reserves one of client's MaxPerClient connections; release gives
// it back. Connections are counted from before the upgrade, so a burst of
// handshakes cannot overshoot the limit.
func (s *Streamer) admit(client string) bool {
	if s.opts.MaxPerClient <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perClient[client] >= s.opts.MaxPerClient {
		return false
	}
	s.perClient[client]++
	return true
}

func (s *Streamer) release(client string) {
	if s.opts.MaxPerClient <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perClient[client]--; s.perClient[client] <= 0 {
		delete(s.perClient, client)
	}
}
