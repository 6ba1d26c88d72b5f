package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// readyTimeout bounds the store ping behind /readyz, so a hung database
// makes the probe fail instead of piling up probe requests.
const readyTimeout = 2 * time.Second

// healthz reports that the process is up and serving; it checks nothing
// else, so an orchestrator restarts the process only when it is wedged.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz reports whether this instance should receive traffic: the store
// answers and the server is not draining for shutdown.
func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		RenderError(c, s.log, feedback.Errorf(feedback.EUNAVAILABLE,
			"Máy chủ đang tạm dừng, vui lòng thử lại sau ít phút.", "The server is shutting down."))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		RenderError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
