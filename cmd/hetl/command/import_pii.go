package command

import "github.com/hetl/hetl/ingest"

// buildPII wires --pii rules to package pii (being written).
func (o *importOptions) buildPII() (*ingest.PII, error) {
	return nil, usagef("--pii is not available in this build")
}
