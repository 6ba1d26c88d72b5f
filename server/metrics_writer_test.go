package server

import (
	"strings"
	"testing"
)

func TestMetricsShowStoreWriter(t *testing.T) {
	f := newFixture(t)
	f.srv.metrics.WatchWriter(func() (int64, int64) { return 40, 417 })
	body := f.getFrom("127.0.0.1:5000", "/metrics", nil).Body.String()
	for _, want := range []string{"phananh_store_transactions_total 40", "phananh_store_writes_total 417"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
