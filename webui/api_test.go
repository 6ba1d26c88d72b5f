package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"phananh/feedback"
	"phananh/intake"
)

func (c *client) do(method, path, body string, hdr map[string]string) (*http.Response, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out) //nolint:errcheck // checked by the callers' assertions
	return res, out
}

func TestClassifySuggestion(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	res, out := c.do("POST", "/api/v1/classify", `{"text":"Rác thải đổ bừa bãi ở đầu hẻm phường 5, bốc mùi"}`, nil)
	if res.StatusCode != http.StatusOK || out["category"] == "" || out["category_name"] == "" {
		t.Fatalf("classify = %d %v", res.StatusCode, out)
	}
	if res, _ := c.do("POST", "/api/v1/classify", `{"text":"ab"}`, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("too short text = %d, want 400", res.StatusCode)
	}
}

// TestClassifyRateLimited: the live suggestion has its own bucket per
// client, so a script cannot run the classifier in a loop.
func TestClassifyRateLimited(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	limited := 0
	for range 40 {
		if res, _ := c.do("POST", "/api/v1/classify", `{"text":"Đèn đường hỏng cả tuần"}`, nil); res.StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("40 quick suggestions from one client, none refused")
	}
}

func TestNearbyAndMeToo(t *testing.T) {
	a := newApp(t)
	lat, lng := 13.0955, 109.3209
	rc, err := a.Intake.Submit(context.Background(), intake.Submission{Channel: feedback.ChannelAPI,
		Text: "Rác thải tồn đọng ở góc đường, bốc mùi hôi thối", Lat: &lat, Lng: &lng, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a.URL)
	tok := c.formToken()
	far := 13.1055 // about 1.1 km north
	res, out := c.do("GET", "/api/v1/nearby?lat=13.0956&lng=109.3209&category="+rc.Report.Category, "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(toJSON(out), rc.Report.Code) {
		t.Fatalf("nearby = %d %v, want %s", res.StatusCode, out, rc.Report.Code)
	}
	if _, out := c.do("GET", "/api/v1/nearby?lat=13.1055&lng=109.3209&category="+rc.Report.Category, "", nil); strings.Contains(toJSON(out), rc.Report.Code) {
		t.Errorf("a report %.0f km away is listed as nearby", (far-lat)*111)
	}
	path := "/api/v1/reports/" + rc.Report.Code + "/support"
	if res, _ := c.do("POST", path, "", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("me too without a form token = %d, want 403", res.StatusCode)
	}
	_, out = c.do("POST", path, "", map[string]string{"X-Form-Token": tok})
	if out["supporters"] != 1.0 || out["added"] != true {
		t.Fatalf("me too = %v, want one supporter", out)
	}
	if _, out = c.do("POST", path, "", map[string]string{"X-Form-Token": tok}); out["supporters"] != 1.0 || out["added"] != false {
		t.Errorf("second me too from the same browser = %v, want it counted once", out)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
