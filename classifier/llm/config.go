// Package llm classifies reports with an OpenAI-compatible chat model
// (OpenAI, vLLM, Ollama...) through github.com/sashabaranov/go-openai,
// with the local model as the default and the fallback.
package llm

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"phananh/classifier"
)

// Modes of the LLM backend.
const (
	// ModeLLM asks the LLM for every report and falls back to the local
	// model when it fails.
	ModeLLM = "llm"
	// ModeEnsemble asks the LLM only when the local model's confidence is
	// below the threshold.
	ModeEnsemble = "ensemble"
)

// Defaults.
const (
	DefaultTimeout       = 5 * time.Second
	DefaultMaxConcurrent = 4
	DefaultThreshold     = 0.55
)

// Category is a code the LLM may answer, with a description it can read.
type Category struct {
	Code        string
	Description string
}

// Config configures the LLM backend (PHANANH_LLM_* variables).
type Config struct {
	BaseURL       string        // PHANANH_LLM_BASE_URL, e.g. https://api.openai.com/v1
	Model         string        // PHANANH_LLM_MODEL
	APIKey        string        // PHANANH_LLM_API_KEY; may be empty for local servers
	Mode          string        // ModeLLM or ModeEnsemble
	Timeout       time.Duration // per call; default 5 s
	MaxConcurrent int           // calls in flight; more fall back at once; default 4
	Threshold     float64       // ensemble: ask below this local confidence; default 0.55
	// Categories restrict the answer; default DefaultCategories().
	Categories []Category
	// Wards restrict the ward answer; ids and names are sent to the model.
	Wards      []classifier.Ward
	HTTPClient *http.Client // default: a plain client (the timeout is per call)
	Logger     *slog.Logger // default: slog.Default()
}

func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("llm: base URL is required"))
	}
	if c.Model == "" {
		errs = append(errs, errors.New("llm: model is required"))
	}
	if c.Mode != ModeLLM && c.Mode != ModeEnsemble {
		errs = append(errs, errors.New("llm: mode must be llm or ensemble"))
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.Threshold <= 0 {
		c.Threshold = DefaultThreshold
	}
	if len(c.Categories) == 0 {
		c.Categories = DefaultCategories()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, errors.Join(errs...)
}

// DefaultCategories describes the standard category codes for the prompt.
func DefaultCategories() []Category {
	return []Category{
		{classifier.CatWaste, "rác thải, thu gom rác, đổ rác trộm, bãi rác tự phát"},
		{classifier.CatDrainage, "thoát nước, cống nghẹt, ngập úng, nắp cống hư, nước thải tràn"},
		{classifier.CatPollution, "ô nhiễm không khí, mùi hôi, khói bụi, nước thải nhà máy, đốt rác"},
		{classifier.CatNoise, "tiếng ồn: karaoke, loa, công trình ban đêm, quán nhậu"},
		{classifier.CatEncroach, "lấn chiếm vỉa hè, lòng đường, buôn bán, đậu xe trái phép"},
		{classifier.CatBuilding, "xây dựng trái phép, sai phép, công trình không che chắn"},
		{classifier.CatTraffic, "giao thông: ổ gà, hư hỏng đường, đèn tín hiệu, biển báo"},
		{classifier.CatLighting, "chiếu sáng công cộng: đèn đường hỏng, không sáng"},
		{classifier.CatTrees, "cây xanh: cây ngã, gãy cành, cần cắt tỉa, chặt cây"},
		{classifier.CatAdverts, "quảng cáo trái phép, băng rôn, tờ rơi, biển hiệu"},
		{classifier.CatOther, "khác: không thuộc các loại trên"},
	}
}
