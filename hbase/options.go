package hbase

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a connection to the Thrift2 gateway. Transport and
// Protocol must match how the gateway was started
// (hbase.regionserver.thrift.framed and .compact, both false by default).
type Options struct {
	Transport      string        // "buffered" (HBase's default) or "framed"
	Protocol       string        // "binary" (HBase's default) or "compact"
	ConnectTimeout time.Duration // bounds dialling the gateway
	CallTimeout    time.Duration // bounds each call when ctx has no earlier deadline
}

// DefaultOptions match a Thrift2 gateway started with HBase's defaults.
func DefaultOptions() Options {
	return Options{
		Transport:      "buffered",
		Protocol:       "binary",
		ConnectTimeout: 10 * time.Second,
		CallTimeout:    time.Minute,
	}
}

// Validate reports every invalid option.
func (o Options) Validate() error {
	var errs []error
	switch o.Transport {
	case "buffered", "framed":
	default:
		errs = append(errs, fmt.Errorf("hbase: transport %q: want buffered or framed", o.Transport))
	}
	switch o.Protocol {
	case "binary", "compact":
	default:
		errs = append(errs, fmt.Errorf("hbase: protocol %q: want binary or compact", o.Protocol))
	}
	if o.ConnectTimeout <= 0 {
		errs = append(errs, fmt.Errorf("hbase: connect timeout %s: must be positive", o.ConnectTimeout))
	}
	if o.CallTimeout <= 0 {
		errs = append(errs, fmt.Errorf("hbase: call timeout %s: must be positive", o.CallTimeout))
	}
	return errors.Join(errs...)
}
