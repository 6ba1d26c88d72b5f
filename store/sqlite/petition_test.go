package sqlite

import (
	"testing"

	"phananh/store/petitiontest"
)

func TestPetitionContract(t *testing.T) {
	petitiontest.Run(t, func(t *testing.T) petitiontest.Store { return MustOpen(t) },
		petitiontest.Caps{AtomicCounters: true})
}
