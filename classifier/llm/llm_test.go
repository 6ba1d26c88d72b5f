package llm

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"phananh/classifier"
	"phananh/feedback"
)

// fakeLLM is an in-process OpenAI-compatible server. It checks every
// request and answers as the test says.
type fakeLLM struct {
	t      *testing.T
	calls  atomic.Int64
	answer func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
		f.t.Errorf("request %s with auth %q", r.URL.Path, r.Header.Get("Authorization"))
	}
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role, Content string
		} `json:"messages"`
		ResponseFormat struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Name   string `json:"name"`
				Strict bool   `json:"strict"`
				Schema struct {
					Properties map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
					Required []string `json:"required"`
				} `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("request body: %v", err)
	}
	s := req.ResponseFormat.JSONSchema
	if req.Model != "test-model" || req.ResponseFormat.Type != "json_schema" || !s.Strict ||
		!slices.Equal(s.Schema.Properties["category"].Enum, classifier.Categories()) ||
		!slices.Contains(s.Schema.Properties["ward"].Enum, "binh_kien") || !slices.Contains(s.Schema.Properties["ward"].Enum, "none") ||
		len(s.Schema.Required) != 4 {
		f.t.Errorf("request model/schema wrong: %s", body)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || !strings.Contains(req.Messages[0].Content, "chieu_sang") ||
		req.Messages[1].Role != "user" || req.Messages[1].Content == "" {
		f.t.Errorf("messages wrong: %+v", req.Messages)
	}
	f.answer(w, r)
}

func reply(content string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
		})
	}
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, `{"error":{"message":"nope","type":"server_error"}}`)
	}
}

func newTest(t *testing.T, mode string, answer func(http.ResponseWriter, *http.Request)) (*Classifier, *fakeLLM) {
	t.Helper()
	fake := &fakeLLM{t: t, answer: answer}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	local, err := classifier.NewDefault(classifier.TuyHoaWards())
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{
		BaseURL: srv.URL + "/v1", Model: "test-model", APIKey: "sk-test", Mode: mode,
		Timeout: 300 * time.Millisecond, MaxConcurrent: 2, Wards: classifier.TuyHoaWards(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, local)
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

const text = "Mấy cây đèn trên đường ra biển ở xa binh kien tắt hết cả tuần"

func TestLLMDecidesWhenItAnswersValidly(t *testing.T) {
	c, fake := newTest(t, ModeLLM, reply(`{"category":"chieu_sang","ward":"binh_kien","ward_text":"xa binh kien","confidence":0.93}`))
	got, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != "chieu_sang" || got.Confidence != 0.93 || got.Model != "llm:test-model" || got.Ward != "binh_kien" {
		t.Fatalf("got %+v", got)
	}
	if len(got.Alternatives) != 3 || got.Alternatives[0].Category != "chieu_sang" || fake.calls.Load() != 1 {
		t.Fatalf("alternatives %+v, calls %d", got.Alternatives, fake.calls.Load())
	}
}

func TestLLMAnswerInACodeFenceIsAccepted(t *testing.T) {
	c, _ := newTest(t, ModeLLM, reply("```json\n{\"category\":\"cay_xanh\",\"ward\":\"none\",\"ward_text\":\"\",\"confidence\":0.7}\n```"))
	got, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
	if got.Category != "cay_xanh" || got.Model != "llm:test-model" {
		t.Fatalf("got %+v", got)
	}
}

func TestLLMWardMustBeQuotedFromText(t *testing.T) {
	c, _ := newTest(t, ModeLLM, reply(`{"category":"chieu_sang","ward":"p3","ward_text":"phường 3","confidence":0.9}`))
	got, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: "đèn đường tắt hết rồi"})
	if got.Ward != "" {
		t.Fatalf("ward %q invented by the LLM was accepted", got.Ward)
	}
}

func TestLLMFailuresFallBackToLocal(t *testing.T) {
	// The slow server answers only after 30 s, far past the 300 ms timeout;
	// it records that the client gave up, which is what proves the timeout
	// (a wall-clock bound here would be a timing target in a test).
	var abandoned atomic.Bool
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(30 * time.Second):
		case <-r.Context().Done():
			abandoned.Store(true)
		}
		reply(`{"category":"khac","ward":"none","ward_text":"","confidence":0.9}`)(w, r)
	}
	for name, answer := range map[string]func(http.ResponseWriter, *http.Request){
		"429":              status(http.StatusTooManyRequests),
		"500":              status(http.StatusInternalServerError),
		"slow":             slow,
		"garbage":          reply(`I think it is about lights`),
		"unknown category": reply(`{"category":"den","ward":"none","ward_text":"","confidence":0.9}`),
		"unknown ward":     reply(`{"category":"khac","ward":"p42","ward_text":"","confidence":0.9}`),
		"bad confidence":   reply(`{"category":"khac","ward":"none","ward_text":"","confidence":7}`),
		"not json at all": func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "<html>proxy error</html>")
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, fake := newTest(t, ModeLLM, answer)
			got, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Model, "local:") || got.Category == "" || fake.calls.Load() == 0 {
				t.Fatalf("got %+v after %d calls, want the local model's answer", got, fake.calls.Load())
			}
			if name == "slow" {
				deadline := time.Now().Add(10 * time.Second)
				for !abandoned.Load() && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if !abandoned.Load() {
					t.Fatal("the client did not abandon the slow request: no timeout")
				}
			}
			if s := c.Stats(); s.FellBack != 1 || s.Answered != 0 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestEnsembleAsksOnlyWhenUnsure(t *testing.T) {
	c, fake := newTest(t, ModeEnsemble, reply(`{"category":"khac","ward":"none","ward_text":"","confidence":0.8}`))
	local, _ := classifier.NewDefault(classifier.TuyHoaWards())
	for _, in := range []string{text, "hello there", "rác rác rác ở phường 5 không ai thu gom, bốc mùi hôi thối"} {
		loc, _ := local.Classify(context.Background(), feedback.ClassifyInput{Text: in})
		before := fake.calls.Load()
		got, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: in})
		asked := fake.calls.Load() > before
		if asked != (loc.Confidence < DefaultThreshold) {
			t.Errorf("%q: local confidence %.2f, asked LLM %v", in, loc.Confidence, asked)
		}
		if asked && got.Model != "llm:test-model" || !asked && got.Model != loc.Model {
			t.Errorf("%q: decided by %q", in, got.Model)
		}
	}
}

func TestConcurrencyCapFallsBackAtOnce(t *testing.T) {
	release := make(chan struct{})
	c, _ := newTest(t, ModeLLM, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		reply(`{"category":"chieu_sang","ward":"none","ward_text":"","confidence":0.9}`)(w, r)
	})
	c.cfg.Timeout = 5 * time.Second
	var wg sync.WaitGroup
	results := make(chan string, 2)
	for range 2 { // fill the cap of 2
		wg.Go(func() {
			got, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
			results <- got.Model
		})
	}
	for c.Stats().Asked < 2 {
		time.Sleep(time.Millisecond)
	}
	got, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
	if !strings.HasPrefix(got.Model, "local:") {
		t.Fatalf("third call over the cap decided by %q, want local", got.Model)
	}
	close(release)
	wg.Wait()
	close(results)
	for m := range results {
		if m != "llm:test-model" {
			t.Errorf("call within the cap decided by %q", m)
		}
	}
}

func TestNewReportsEveryMissingSetting(t *testing.T) {
	_, err := New(Config{Mode: "nope"}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"base URL", "model", "mode"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
