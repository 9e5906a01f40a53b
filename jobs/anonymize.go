package jobs

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs/spec"
)

// Anonymize protects personal data with the same rules, key handling
// and output as the importer's --pii (package ingest/pii): hashed values
// join with columns hashed at import under the same key.
func Anonymize(in Stream, name string, a *spec.Anonymize, key *pii.Key) (Stream, error) {
	var rules []pii.Rule
	for _, r := range []struct {
		cols   []string
		action pii.Action
	}{{a.Hash, pii.Hash}, {a.Mask, pii.Mask}, {a.Scrub, pii.Scrub}, {a.Drop, pii.Drop}} {
		for _, c := range r.cols {
			rules = append(rules, pii.Rule{Column: c, Action: r.action})
		}
	}
	plan, err := pii.NewPlan(in.Schema(), rules, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Scrubbing free text is the heaviest row-local work of a pipeline:
	// batches are protected on every CPU (Plan.Apply is safe for that).
	return ParallelMap(in, plan.Schema(), 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		return plan.Apply(rec)
	}), nil
}
