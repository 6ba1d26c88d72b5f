package classifier

import (
	"embed"
	_ "embed" // the shipped model
)

// shippedModel is the trained model built into the binary by
// `phananh train`; the binary needs no file beside it.
//
//go:embed model.bin
var shippedModel []byte

// shippedData holds the labelled examples the model is trained on.
//
//go:embed data
var shippedData embed.FS

// EmbeddedModel decodes the model built into the binary.
func EmbeddedModel() (*Model, error) { return LoadModel(shippedModel) }

// ShippedExamples returns the labelled examples built into the binary
// (classifier/data/*.jsonl).
func ShippedExamples() ([]Example, error) { return LoadExamples(shippedData, "data") }
