package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	openai "github.com/sashabaranov/go-openai"

	"phananh/classifier"
	"phananh/feedback"
)

// Fallback reasons, as logged and counted.
const (
	ReasonTimeout     = "timeout"
	ReasonRateLimited = "rate_limited"
	ReasonError       = "error"
	ReasonInvalid     = "invalid_answer"
	ReasonBusy        = "busy" // the concurrency cap was reached
)

// Classifier asks an OpenAI-compatible model and falls back to the local
// classifier on error, timeout, 429, an invalid answer or too many calls
// in flight. Classification.Model says which one decided. Safe for
// concurrent use.
type Classifier struct {
	cfg    Config
	client *openai.Client
	local  feedback.Classifier
	sem    chan struct{}
	schema json.RawMessage
	prompt string
	codes  []string
	wards  []string

	asked, answered, fellBack atomic.Int64
}

var _ feedback.Classifier = (*Classifier)(nil)

// New returns an LLM classifier backed by local. Errors name every missing
// setting at once.
func New(cfg Config, local feedback.Classifier) (*Classifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = cfg.HTTPClient
	c := &Classifier{cfg: cfg, client: openai.NewClientWithConfig(oc), local: local, sem: make(chan struct{}, cfg.MaxConcurrent)}
	for _, cat := range cfg.Categories {
		c.codes = append(c.codes, cat.Code)
	}
	for _, w := range cfg.Wards {
		c.wards = append(c.wards, w.ID)
	}
	c.schema = answerSchema(c.codes, c.wards)
	c.prompt = systemPrompt(cfg.Categories, cfg.Wards)
	return c, nil
}

// Stats counts LLM calls: asked, answered validly, and fallbacks.
type Stats struct{ Asked, Answered, FellBack int64 }

// Stats returns the counters since New.
func (c *Classifier) Stats() Stats {
	return Stats{Asked: c.asked.Load(), Answered: c.answered.Load(), FellBack: c.fellBack.Load()}
}

// Classify classifies locally, then asks the LLM (always in ModeLLM, only
// below the threshold in ModeEnsemble). Errors: EINVALID from the local
// classifier; LLM failures are never errors, they fall back.
func (c *Classifier) Classify(ctx context.Context, in feedback.ClassifyInput) (feedback.Classification, error) {
	loc, err := c.local.Classify(ctx, in)
	if err != nil {
		return loc, err
	}
	if c.cfg.Mode == ModeEnsemble && loc.Confidence >= c.cfg.Threshold {
		return loc, nil
	}
	ans, reason := c.ask(ctx, in.Text)
	if reason != "" {
		c.fellBack.Add(1)
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "llm fallback to local classifier",
			slog.String("reason", reason), slog.String("llm_model", c.cfg.Model), slog.String("decided_by", loc.Model))
		return loc, nil
	}
	c.answered.Add(1)
	return c.merge(loc, ans, in.Text), nil
}

// answer is the structured output the schema asks for.
type answer struct {
	Category   string  `json:"category"`
	Ward       string  `json:"ward"`
	WardText   string  `json:"ward_text"`
	Confidence float64 `json:"confidence"`
}

// noWard is the ward answer meaning the text names none.
const noWard = "none"

// ask calls the LLM and returns its validated answer, or why it has none.
func (c *Classifier) ask(ctx context.Context, text string) (answer, string) {
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	default:
		return answer{}, ReasonBusy
	}
	c.asked.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.client.CreateChatCompletion(ctx, c.request(text))
	if err != nil {
		return answer{}, failureReason(ctx, err)
	}
	if len(resp.Choices) == 0 {
		return answer{}, ReasonInvalid
	}
	var a answer
	if err := json.Unmarshal([]byte(unfence(resp.Choices[0].Message.Content)), &a); err != nil {
		return answer{}, ReasonInvalid
	}
	if !slices.Contains(c.codes, a.Category) || (a.Ward != noWard && !slices.Contains(c.wards, a.Ward)) ||
		a.Confidence < 0 || a.Confidence > 1 {
		return answer{}, ReasonInvalid
	}
	return a, ""
}

// unfence strips a Markdown code fence some servers wrap JSON in.
func unfence(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "```"); ok {
		rest = strings.TrimPrefix(rest, "json")
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "```"))
	}
	return s
}

func failureReason(ctx context.Context, err error) string {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode == http.StatusTooManyRequests,
		errors.As(err, &reqErr) && reqErr.HTTPStatusCode == http.StatusTooManyRequests:
		return ReasonRateLimited
	}
	return ReasonError
}

func (c *Classifier) request(text string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model:       c.cfg.Model,
		Temperature: 0,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: c.prompt},
			{Role: openai.ChatMessageRoleUser, Content: text},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: "report_classification", Schema: c.schema, Strict: true,
			},
		},
	}
}

// merge takes the LLM's category and confidence, keeps the local ward
// (polygon or gazetteer) and uses the LLM's ward only when the local one
// found none and the text really contains what the LLM quoted.
func (c *Classifier) merge(loc feedback.Classification, a answer, text string) feedback.Classification {
	out := loc
	out.Category, out.Confidence = a.Category, a.Confidence
	out.Model = "llm:" + c.cfg.Model
	out.Alternatives = []feedback.Alternative{{Category: a.Category, Confidence: a.Confidence}}
	for _, alt := range loc.Alternatives {
		if alt.Category != a.Category && len(out.Alternatives) < 3 {
			out.Alternatives = append(out.Alternatives, alt)
		}
	}
	quoted := strings.TrimSpace(a.WardText)
	if loc.Ward == "" && a.Ward != noWard && len([]rune(quoted)) >= 2 &&
		strings.Contains(classifier.Fold(text), classifier.Fold(quoted)) {
		out.Ward, out.WardSpan, out.WardSource = a.Ward, quoted, classifier.SourceText
	}
	return out
}

// answerSchema restricts the answer to the configured codes and wards.
func answerSchema(codes, wards []string) json.RawMessage {
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"category":  map[string]any{"type": "string", "enum": codes},
			"ward":      map[string]any{"type": "string", "enum": append(slices.Clone(wards), noWard)},
			"ward_text": map[string]any{"type": "string", "description": "the exact words of the text that name the ward, or empty"},
			// No minimum/maximum: strict mode of some servers rejects them;
			// the range is checked on the answer instead.
			"confidence": map[string]any{"type": "number", "description": "probability from 0 to 1 that category is right"},
		},
		"required":             []string{"category", "ward", "ward_text", "confidence"},
		"additionalProperties": false,
	}
	b, _ := json.Marshal(schema)
	return b
}

func systemPrompt(cats []Category, wards []classifier.Ward) string {
	var b strings.Builder
	b.WriteString("Bạn phân loại phản ánh của người dân gửi chính quyền thành phố. " +
		"Trả lời đúng theo JSON schema: category là một mã dưới đây; ward là mã phường/xã " +
		"mà văn bản nêu rõ, hoặc \"none\" nếu văn bản không nêu (không được đoán; tên đường không phải phường); " +
		"ward_text là đúng những chữ trong văn bản nêu phường/xã; confidence là xác suất category đúng.\n\nCategory:\n")
	for _, c := range cats {
		fmt.Fprintf(&b, "- %s: %s\n", c.Code, c.Description)
	}
	b.WriteString("\nPhường/xã:\n")
	for _, w := range wards {
		fmt.Fprintf(&b, "- %s: %s\n", w.ID, w.Name)
	}
	return b.String()
}
