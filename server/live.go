package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/live"
	"phananh/ratelimit"
)

// MountLive adds the websocket endpoints:
//
//	GET /api/v1/reports/:code/live?since=SEQ  public events of one report
//	GET /api/v1/staff/live?since=SEQ          staff events by role and unit
//
// Call it before serving. Without since a stream starts at the current
// head (sent in the first "hello" message); with since it first replays
// every matching event after it.
func (s *Server) MountLive(st *live.Streamer, auth live.Authenticator) {
	api := s.engine.Group("/api/v1", apiHeaders())
	api.GET("/reports/:code/live", s.reportLive(st))
	api.GET("/staff/live", s.staffLive(st, auth))
}

// reportLive streams a report's public events; an unknown code is a 404
// before any upgrade.
func (s *Server) reportLive(st *live.Streamer) gin.HandlerFunc {
	return func(c *gin.Context) {
		since, err := sinceParam(c)
		if err != nil {
			RenderError(c, s.log, err)
			return
		}
		r, ok := s.reportByCode(c)
		if !ok {
			return
		}
		if err := st.Serve(c.Writer, liveRequest(c), live.ReportTopic(r.Code, r.ID), since); err != nil {
			RenderError(c, s.log, err)
		}
	}
}

// staffLive streams a unit's events to its officers and managers, and the
// whole city's to supervisors and admins.
func (s *Server) staffLive(st *live.Streamer, auth live.Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		since, err := sinceParam(c)
		if err != nil {
			RenderError(c, s.log, err)
			return
		}
		v, err := auth.Authenticate(c.Request)
		if err != nil {
			RenderError(c, s.log, err)
			return
		}
		topic, err := live.StaffTopic(v)
		if err != nil {
			RenderError(c, s.log, err)
			return
		}
		if err := st.Serve(c.Writer, liveRequest(c), topic, since); err != nil {
			RenderError(c, s.log, err)
		}
	}
}

// liveRequest names the client of a websocket request as the rate limits
// do (behind trusted proxies, IPv6 by /64), so the streamer's per-client
// cap counts citizens, not the proxy.
func liveRequest(c *gin.Context) *http.Request {
	return c.Request.WithContext(live.WithClient(c.Request.Context(), ratelimit.ClientKey(c.ClientIP())))
}

// sinceParam reads ?since=; -1 means absent (no replay).
func sinceParam(c *gin.Context) (int64, error) {
	if _, ok := c.GetQuery("since"); !ok {
		return -1, nil
	}
	return int64Param(c, "since", -1)
}
