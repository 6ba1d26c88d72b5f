package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/feedback"
)

// userRoutes let admins manage accounts (the auth service checks the role):
//
//	GET  /api/v1/staff/users                       every account
//	POST /api/v1/staff/users                       {"username","name","role","unit","password"} -> 201
//	POST /api/v1/staff/users/:username/disable     disables and revokes its sessions
func (h *staffHandlers) userRoutes(g *gin.RouterGroup) {
	g.GET("/staff/users", h.listUsers)
	g.POST("/staff/users", h.addUser)
	g.POST("/staff/users/:username/disable", h.disableUser)
}

type newUserRequest struct {
	Username string        `json:"username"`
	Name     string        `json:"name"`
	Role     feedback.Role `json:"role"`
	Unit     string        `json:"unit"`
	Password string        `json:"password"`
}

func (h *staffHandlers) listUsers(c *gin.Context) {
	us, err := h.auth.Users(c.Request.Context(), actor(c))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": us})
}

func (h *staffHandlers) addUser(c *gin.Context) {
	var req newUserRequest
	if err := bindJSON(c, &req); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	u, err := h.auth.AddUser(c.Request.Context(), actor(c), auth.NewUser{
		Username: req.Username, Name: req.Name, Role: req.Role, UnitID: req.Unit, Password: req.Password,
	})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": u})
}

func (h *staffHandlers) disableUser(c *gin.Context) {
	u, err := h.auth.DisableUser(c.Request.Context(), actor(c), c.Param("username"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": u})
}
