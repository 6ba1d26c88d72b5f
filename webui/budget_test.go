package webui_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"

	"phananh/feedback"
)

// maxScriptBytes is the JavaScript budget of one page.
const maxScriptBytes = 300 << 10

var scriptRE = regexp.MustCompile(`<script src="([^"]+)"`)

// TestScriptBudget keeps every page under 300 KB of JavaScript, counting
// the vendor libraries it loads.
func TestScriptBudget(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	a.addUser(t, "giamsat", feedback.RoleSupervisor, "")
	body, _ := json.Marshal(map[string]string{"username": "giamsat", "password": testPassword})
	res, err := c.hc.Post(a.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %v %v", err, res.Status)
	}
	res.Body.Close()
	for _, p := range []string{"/", "/reports", "/staff", "/dashboard"} {
		_, page := c.get(p)
		total := 0
		for _, m := range scriptRE.FindAllStringSubmatch(page, -1) {
			r, err := c.hc.Get(a.URL + m[1])
			if err != nil || r.StatusCode != http.StatusOK {
				t.Fatalf("%s: script %s: %v", p, m[1], err)
			}
			n, _ := io.Copy(io.Discard, r.Body)
			r.Body.Close()
			total += int(n)
		}
		t.Logf("%-10s %6.1f KB of JavaScript", p, float64(total)/1024)
		if total > maxScriptBytes {
			t.Errorf("%s loads %d bytes of JavaScript, over the %d budget", p, total, maxScriptBytes)
		}
	}
}
