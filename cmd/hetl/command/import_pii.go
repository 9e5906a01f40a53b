package command

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/pii"
)

// buildPII turns --pii rules and the key flags into the import's
// protection.
func (o *importOptions) buildPII() (*ingest.PII, error) {
	rules, err := pii.ParseRules(o.piiRules)
	if err != nil {
		return nil, usagef("%v", err)
	}
	var key *pii.Key
	if o.piiKeyFile != "" || o.piiKeyEnv != "" {
		k, err := pii.LoadKey(o.piiKeyFile, o.piiKeyEnv)
		if err != nil {
			return nil, err
		}
		key = &k
	}
	p := &ingest.PII{Actions: map[string]string{}}
	actions := map[string]pii.Action{}
	for _, r := range rules {
		p.Actions[strings.ToLower(r.Column)] = string(r.Action)
		actions[strings.ToLower(r.Column)] = r.Action
		if r.Action.NeedsKey() && key == nil {
			return nil, usagef("--pii %s=%s needs a key: --pii-key-file or --pii-key-env", r.Column, r.Action)
		}
	}
	var plan *pii.Plan
	p.New = func(schema *arrow.Schema) (ingest.Protector, error) {
		var err error
		plan, err = pii.NewPlan(schema, rules, key)
		return plan, err
	}
	p.Raw = func(column string, v []byte) (*string, bool) {
		a := actions[strings.ToLower(column)]
		if a == pii.Drop {
			return nil, false
		}
		if v == nil {
			return nil, true
		}
		s := plan.One(string(v), a)
		return &s, true
	}
	if key != nil {
		p.KeyFingerprint = key.Fingerprint()
	}
	return p, nil
}
