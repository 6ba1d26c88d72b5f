package server

import (
	"github.com/gin-gonic/gin"

	"phananh/webui"
)

// MountWebUI adds the web pages (citizen form and tracking page, public
// map, staff desk, dashboard) and their JSON helpers, which render errors
// through RenderError. Unknown paths outside the API then get the HTML 404
// page instead of a JSON error. Call it before serving.
func (s *Server) MountWebUI(ui *webui.UI) {
	ui.Mount(s.engine, webui.Errors{
		JSON:   func(c *gin.Context, err error) { RenderError(c, s.log, err) },
		Status: StatusOf,
	})
	s.engine.NoRoute(func(c *gin.Context) {
		if webui.IsPage(c.Request) {
			ui.NotFound(c)
			return
		}
		RenderError(c, s.log, errNoRoute())
	})
}
