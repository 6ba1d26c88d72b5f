package webui

import (
	"encoding/json"
	"errors"
	"html/template"
	"strconv"

	"phananh/feedback"
)

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	// num formats an optional figure with one decimal, "–" when missing.
	"num": func(v *float64) string {
		if v == nil {
			return "–"
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	},
	// pct formats an optional share of 0-1 as a percentage.
	"pct": func(v *float64) string {
		if v == nil {
			return "–"
		}
		return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
	},
	// raw1 formats an optional figure for a sortable cell's data value.
	"raw1": func(v *float64) string {
		if v == nil {
			return "-1"
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	},
	"coord": func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 6, 64)
	},
	// json encodes a value for a data- attribute.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// dict builds a map for calling a sub-template with several values.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, errors.New("dict: keys must be strings")
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"open":   func(s feedback.Status) bool { return s.Open() },
	"status": func(s feedback.Status) string { return string(s) },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
}
