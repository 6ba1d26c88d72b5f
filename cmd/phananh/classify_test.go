package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	err := run(context.Background(), args, env)
	return out.String(), err
}

func TestClassifyAnswersEveryLineInOrder(t *testing.T) {
	in := strings.Join([]string{
		`{"text": "rác ở phường 5 không ai dọn, bốc mùi hôi thối cả tuần"}`,
		`not json`,
		`{"text": ""}`,
		`{"text": "cống nghẹt, nước ngập ở xa binh kien"}`,
		`{"text": "đèn", "lat": 13.1}`,
		`{"text": "cống nghẹt, nước ngập ở xa binh kien", "lat": 13.1, "lng": 109.3}`,
	}, "\n")
	out, err := runCmd(t, in, "classify")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d output lines for 6 inputs:\n%s", len(lines), out)
	}
	var first, fourth struct {
		Category     string   `json:"category"`
		Confidence   float64  `json:"confidence"`
		Ward         *string  `json:"ward"`
		Unit         string   `json:"unit"`
		Alternatives []any    `json:"alternatives"`
		Features     []string `json:"features"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Category != "rac_thai" || first.Ward == nil || *first.Ward != "p5" || first.Unit == "" ||
		len(first.Alternatives) != 3 || first.Confidence <= 0 || first.Confidence > 1 {
		t.Fatalf("first line %s", lines[0])
	}
	for _, i := range []int{1, 2, 4} {
		var e map[string]string
		if json.Unmarshal([]byte(lines[i]), &e) != nil || e["error"] == "" {
			t.Errorf("line %d: %s, want an error object", i+1, lines[i])
		}
	}
	if err := json.Unmarshal([]byte(lines[3]), &fourth); err != nil || fourth.Ward == nil || *fourth.Ward != "binh_kien" {
		t.Errorf("fourth line %s", lines[3])
	}
	// The demo city has ward polygons: a point inside one wins over the text.
	var sixth struct {
		Ward       *string `json:"ward"`
		WardSource string  `json:"ward_source"`
	}
	if err := json.Unmarshal([]byte(lines[5]), &sixth); err != nil || sixth.Ward == nil || sixth.WardSource != "polygon" {
		t.Errorf("sixth line %s, want the ward from the polygon", lines[5])
	}
}

func TestClassifyWardIsNullWhenNoneNamed(t *testing.T) {
	out, err := runCmd(t, `{"text": "karaoke hát tới 2 giờ sáng không ngủ được"}`, "classify")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"ward":null`) {
		t.Fatalf("want ward null: %s", out)
	}
}

func TestClassifyEvalPrintsMetrics(t *testing.T) {
	file := filepath.Join(t.TempDir(), "eval.jsonl")
	data := `{"text": "rác không ai dọn ở phường 5", "category": "rac_thai", "ward": "p5"}
{"text": "cống nghẹt nước ngập", "category": "thoat_nuoc"}
`
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "", "classify", "--eval", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"examples 2", "macro-F1", "ward accuracy 1.000", "confusion", "rac_thai"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestClassifyUsesTheConfiguredLLM(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"finish_reason":"stop",`+
			`"message":{"role":"assistant","content":"{\"category\":\"cay_xanh\",\"ward\":\"none\",\"ward_text\":\"\",\"confidence\":0.8}"}}]}`)
	}))
	defer srv.Close()
	vars := map[string]string{"PHANANH_CLASSIFIER": "llm", "PHANANH_LLM_BASE_URL": srv.URL + "/v1", "PHANANH_LLM_MODEL": "m"}
	var out bytes.Buffer
	env := &Env{Getenv: func(k string) string { return vars[k] }, Stdin: strings.NewReader(`{"text": "cây đổ chắn ngang đường"}`),
		Stdout: &out, Stderr: io.Discard}
	if err := run(context.Background(), []string{"classify"}, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"model":"llm:m"`) || !strings.Contains(out.String(), `"category":"cay_xanh"`) {
		t.Fatalf("output %s, want the LLM's answer", out.String())
	}
}
