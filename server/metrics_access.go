package server

import (
	"crypto/subtle"
	"log/slog"
	"net"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// metricsAccess guards GET /metrics. The figures carry no personal data,
// but request rates and report counts are not for everyone: with a token
// (PHANANH_METRICS_TOKEN) a scraper sends "Authorization: Bearer <token>";
// without one, only clients on the loopback interface (a local Prometheus
// or node agent, `curl` on the host) may read them. The peer address is the
// TCP connection's, never X-Forwarded-For, so a proxy in front does not
// open the endpoint to the Internet.
func metricsAccess(log *slog.Logger, token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if token != "" {
			got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
				RenderError(c, log, feedback.Errorf(feedback.EUNAUTHORIZED,
					"Cần mã truy cập để xem số liệu giám sát.", "A bearer token is required for metrics."))
				c.Abort()
				return
			}
			c.Next()
			return
		}
		if ip := net.ParseIP(c.RemoteIP()); ip == nil || !ip.IsLoopback() {
			RenderError(c, log, feedback.Errorf(feedback.EFORBIDDEN,
				"Số liệu giám sát chỉ xem được từ máy chủ (hoặc đặt PHANANH_METRICS_TOKEN).",
				"Metrics are served to loopback clients only (or set PHANANH_METRICS_TOKEN)."))
			c.Abort()
			return
		}
		c.Next()
	}
}
