package sqlite

import (
	"testing"

	"phananh/store/slatest"
)

func TestSLAWorkLists(t *testing.T) {
	slatest.Run(t, func(t *testing.T) slatest.Store { return MustOpen(t) })
}
