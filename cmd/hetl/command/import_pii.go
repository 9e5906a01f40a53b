package command

import (
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
	for _, r := range rules {
		if r.Action.NeedsKey() && key == nil {
			return nil, usagef("--pii %s=%s needs a key: --pii-key-file or --pii-key-env", r.Column, r.Action)
		}
	}
	return piiProtection(rules, key), nil
}
