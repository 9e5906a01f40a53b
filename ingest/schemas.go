package ingest

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/hetl/hetl/ingest/format"
)

// The manifest keeps the exact Arrow schema (types, nullability and the
// field metadata carrying MySQL types) of every schema its files were
// written with. Text files carry no schema at all, and an append after a
// new nullable column leaves files of two schemas in one directory;
// readers such as export need to know which is which.

// encodeSchema is the schema as an Arrow IPC schema message, base64.
func encodeSchema(s *arrow.Schema) (string, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s))
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("encode the schema: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func decodeSchema(s string) (*arrow.Schema, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Release()
	return r.Schema(), nil
}

// FileSchema is the Arrow schema f was written with. Manifests written
// before hetl recorded schemas have none; the error says so.
func (m *Manifest) FileSchema(f ManifestFile) (*arrow.Schema, error) {
	key := f.Schema
	if key == "" {
		return nil, fmt.Errorf("the manifest does not record the schema of %s (imported by an older hetl); re-import the table", f.Path)
	}
	enc, ok := m.Schemas[key]
	if !ok {
		return nil, fmt.Errorf("the manifest names schema %s for %s but does not hold it", key, f.Path)
	}
	s, err := decodeSchema(enc)
	if err != nil {
		return nil, fmt.Errorf("the manifest's schema %s: %w", key, err)
	}
	return s, nil
}

// keepSchemas sets m.Schemas to the schemas of m's files, found in m
// itself or in the earlier manifests.
func (m *Manifest) keepSchemas(from ...*Manifest) {
	all := map[string]string{}
	for _, o := range append([]*Manifest{m}, from...) {
		for k, v := range o.Schemas {
			if _, ok := all[k]; !ok {
				all[k] = v
			}
		}
	}
	m.Schemas = nil
	for _, f := range m.Files {
		if v, ok := all[f.Schema]; ok && f.Schema != "" {
			if m.Schemas == nil {
				m.Schemas = map[string]string{}
			}
			m.Schemas[f.Schema] = v
		}
	}
}

// TextLayout records the delimiters of a text directory, so that readers
// (hetl export, Hive DDL) need not be told them again. Each delimiter is
// one byte, as a one-character string.
type TextLayout struct {
	FieldsTerminatedBy string  `json:"fields_terminated_by"`
	LinesTerminatedBy  string  `json:"lines_terminated_by"`
	EscapedBy          string  `json:"escaped_by,omitempty"`
	EnclosedBy         string  `json:"enclosed_by,omitempty"`
	OptionallyEnclosed bool    `json:"optionally_enclosed,omitempty"`
	NullString         *string `json:"null_string,omitempty"`
	NullNonString      *string `json:"null_non_string,omitempty"`
}

// NewTextLayout records t with Sqoop's defaults filled in.
func NewTextLayout(t format.TextOptions) *TextLayout {
	one := func(b, def byte) string {
		if b == 0 {
			b = def
		}
		if b == 0 {
			return ""
		}
		return string([]byte{b})
	}
	return &TextLayout{
		FieldsTerminatedBy: one(t.FieldsTerminatedBy, ','),
		LinesTerminatedBy:  one(t.LinesTerminatedBy, '\n'),
		EscapedBy:          one(t.EscapedBy, 0),
		EnclosedBy:         one(t.EnclosedBy, 0),
		OptionallyEnclosed: t.OptionallyEnclosedBy,
		NullString:         t.NullString,
		NullNonString:      t.NullNonString,
	}
}

// Options is the layout as the text reader and writer take it.
func (l *TextLayout) Options() (format.TextOptions, error) {
	one := func(what, s string) (byte, error) {
		if len(s) > 1 {
			return 0, fmt.Errorf("the manifest's %s %q is not one byte", what, s)
		}
		if s == "" {
			return 0, nil
		}
		return s[0], nil
	}
	var t format.TextOptions
	var err error
	if t.FieldsTerminatedBy, err = one("fields_terminated_by", l.FieldsTerminatedBy); err != nil {
		return t, err
	}
	if t.LinesTerminatedBy, err = one("lines_terminated_by", l.LinesTerminatedBy); err != nil {
		return t, err
	}
	if t.EscapedBy, err = one("escaped_by", l.EscapedBy); err != nil {
		return t, err
	}
	if t.EnclosedBy, err = one("enclosed_by", l.EnclosedBy); err != nil {
		return t, err
	}
	t.OptionallyEnclosedBy = l.OptionallyEnclosed
	t.NullString, t.NullNonString = l.NullString, l.NullNonString
	return t, nil
}

// Equal reports whether two layouts read the same.
func (l *TextLayout) Equal(o *TextLayout) bool {
	if l == nil || o == nil {
		return l == o
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	return l.FieldsTerminatedBy == o.FieldsTerminatedBy && l.LinesTerminatedBy == o.LinesTerminatedBy &&
		l.EscapedBy == o.EscapedBy && l.EnclosedBy == o.EnclosedBy && l.OptionallyEnclosed == o.OptionallyEnclosed &&
		str(l.NullString) == str(o.NullString) && str(l.NullNonString) == str(o.NullNonString)
}

// EncodeSchema is a schema as manifests record it in Schemas (an Arrow
// IPC schema message, base64); Fingerprint is its key.
func EncodeSchema(s *arrow.Schema) (string, error) { return encodeSchema(s) }

// DecodeSchema reads what EncodeSchema wrote.
func DecodeSchema(s string) (*arrow.Schema, error) { return decodeSchema(s) }
